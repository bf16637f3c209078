export { loadDataset, dataFingerprint, DEFAULT_CACHE_DIR, type LoadOptions, type Dataset, type Split } from './dataset.js';
export { decodeImage, decodeImageBytes, decodeImages, bytesToUnitFloat, sourceName, type DecodeLimits, type ImageSource, type ImageSpec, type OnBadImage, type SkippedImage, type DecodedBatch } from './decode.js';
export { scanSplit, resolveClasses, type LabelSpec, type LabeledFiles } from './labels.js';
export { listImages, listSubfolders, type ImageFile } from './scan.js';
export { assignFolds, carveValidation, foldCarve, type ValidationSpec, type Carve } from './split.js';
export { cacheKey, cachePath, readCache, writeCache } from './cache.js';
export { classCounts, countsByClass } from './counts.js';
export { mulberry32, shuffleInPlace } from './rng.js';
export { DataError } from './errors.js';
