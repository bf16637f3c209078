import { resolve } from 'node:path';
import { cacheKey, readCache, writeCache } from './cache.js';
import { ignoredFolderWarnings, missingClassWarnings } from './class-warnings.js';
import { bytesToUnitFloat, decodeImages, type DecodedBatch, type ImageSpec, type OnBadImage, type SkippedImage } from './decode.js';
import { DataError } from './errors.js';
import { fingerprintOf } from './fingerprint.js';
import { resolveClasses, scanSplit, type LabeledFiles, type LabelSpec } from './labels.js';
import { requireDir } from './scan.js';
import { groupKeys } from './groups.js';
import { assignFolds, carveGroupedValidation, carveValidation, foldCarve, type ValidationSpec } from './split.js';

export const DEFAULT_CACHE_DIR = '.exp-cache';

export interface LoadOptions {
  /** Data directory laid out as `<dir>/<split>/<CLASS>/*.{jpeg,jpg,png}`. */
  dir: string;
  /** Class names in label order; default: sorted folder (or filename pattern) names. */
  classes?: string[];
  /** Default `{ from: 'folder' }`. */
  labels?: LabelSpec;
  image: ImageSpec;
  validation: ValidationSpec;
  seed: number;
  onBadImage: OnBadImage;
  /** Where decoded pixels are cached; default `.exp-cache` in the working directory, null = no cache. */
  cacheDir?: string | null;
  /** Decodes in flight (default 4). */
  concurrency?: number;
  /** Called as images are decoded or come from the cache; `total` counts every image of the used splits. */
  onProgress?: (done: number, total: number) => void;
}

export interface Split {
  /** count x H x W x C float32 in [0, 1], NHWC. */
  x: Float32Array;
  /** Class index per image. */
  y: Int32Array;
  /** Image paths, parallel to `y`. */
  files: string[];
  count: number;
}

export interface Dataset {
  classes: string[];
  /** [height, width, channels]. */
  shape: [number, number, number];
  train: Split;
  val: Split;
  test: Split;
  /** Images left out with `onBadImage: 'skip'`. */
  skipped: SkippedImage[];
  /** What the run output says about the classes: a class missing from a split, a folder that is no class. */
  warnings: string[];
  /** Hash of the used splits' file lists with content hashes: identifies the data, not the decode. */
  fingerprint: string;
  cache: {
    dir: string | null;
    /** True when every split came from the cache. */
    hit: boolean;
    /** Wall time of the whole load. */
    seconds: number;
    /** Cache writes that failed (the load still succeeds; the next one decodes again). */
    warnings: string[];
  };
}

type ScanOptions = Pick<LoadOptions, 'dir' | 'classes' | 'labels' | 'validation'>;

/** The classes and the labelled files of the splits a load uses, without decoding anything. */
async function scanDataset(opts: ScanOptions): Promise<{ classes: string[]; folders: string[]; scanned: LabeledFiles[] }> {
  await requireDir(opts.dir, 'data directory');
  const labelSpec = opts.labels ?? { from: 'folder' };
  const classes = await resolveClasses(opts.dir, labelSpec, opts.classes);
  const folders = opts.validation.from === 'val' ? ['train', 'val', 'test'] : ['train', 'test'];
  const scanned: LabeledFiles[] = [];
  for (const folder of folders) scanned.push(await scanSplit(opts.dir, folder, classes, labelSpec));
  return { classes, folders, scanned };
}

/** The fingerprint `loadDataset` would report, from a scan alone (fast: no decoding). */
export async function dataFingerprint(opts: ScanOptions): Promise<string> {
  return fingerprintOf((await scanDataset(opts)).scanned);
}

/**
 * Scans, decodes (or reads from the cache), labels and splits an image-folder data set.
 * `test` is required: exp always evaluates on it. `val` is read only with `validation.from: 'val'`.
 */
export async function loadDataset(opts: LoadOptions): Promise<Dataset> {
  const started = performance.now();
  const { classes, folders, scanned } = await scanDataset(opts);

  const cacheDir = opts.cacheDir === null ? null : resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const total = scanned.reduce((n, s) => n + s.files.length, 0);
  let done = 0;
  const advance = (n: number): void => {
    done += n;
    opts.onProgress?.(done, total);
  };
  const cacheWarnings: string[] = [];
  let allHit = true;
  // Folder by folder, so at most one folder's decodes are in flight.
  const loadFolder = async (folder: string, scan: LabeledFiles): Promise<DecodedBatch> => {
    const key = cacheKey(scan.files, opts.image);
    const cached = cacheDir === null ? null : await readCache(cacheDir, folder, key, opts.image);
    if (cached !== null) {
      advance(scan.files.length);
      return cached;
    }
    allHit = false;
    const paths = scan.files.map((f) => f.path);
    const batch = await decodeImages(paths, opts.image, { onBadImage: opts.onBadImage, concurrency: opts.concurrency, onDecoded: () => advance(1) });
    if (cacheDir !== null) {
      await writeCache(cacheDir, folder, key, opts.image, batch).catch((err: unknown) => {
        cacheWarnings.push(`could not write the data cache in ${cacheDir}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    return batch;
  };
  const batches: DecodedBatch[] = [];
  const skipped: SkippedImage[] = [];
  for (const [i, folder] of folders.entries()) {
    const batch = await loadFolder(folder, scanned[i]);
    // A cache filled with 'skip' must not hide a bad image from a later 'fail' load.
    if (opts.onBadImage === 'fail' && batch.skipped.length > 0) throw new DataError(batch.skipped[0].reason);
    for (const s of batch.skipped) skipped.push({ file: scanned[i].files[s.index].path, reason: s.reason });
    batches.push(batch);
  }

  const per = opts.image.size[0] * opts.image.size[1] * opts.image.channels;
  const whole = (i: number): Split => toSplit(batches[i], scanned[i], per);
  let train: Split;
  let val: Split;
  if (opts.validation.from === 'val') {
    [train, val] = [whole(0), whole(1)];
  } else {
    const labels = batches[0].kept.map((k) => scanned[0].labels[k]);
    const v = opts.validation;
    const groups = v.group ? groupKeys(batches[0].kept.map((k) => scanned[0].files[k].path), v.group, opts.dir) : undefined;
    const carve =
      v.from === 'fold'
        ? foldCarve(assignFolds(labels, groups, classes.length, v.k, v.stratify, opts.seed), v.index)
        : groups
          ? carveGroupedValidation(labels, groups, classes.length, v.fraction, v.stratify, opts.seed)
          : carveValidation(labels, classes.length, v.fraction, v.stratify, opts.seed);
    train = toSplit(batches[0], scanned[0], per, carve.train);
    val = toSplit(batches[0], scanned[0], per, carve.val);
  }
  const test = whole(folders.length - 1);
  const splits = [{ name: 'train', y: train.y }, { name: 'validation', y: val.y }, { name: 'test', y: test.y }];
  const warnings = [
    ...((opts.labels ?? { from: 'folder' }).from === 'folder' ? ignoredFolderWarnings(opts.dir, folders, classes) : []),
    ...missingClassWarnings(classes, splits),
  ];

  return {
    classes,
    shape: [opts.image.size[0], opts.image.size[1], opts.image.channels],
    train,
    val,
    test,
    skipped,
    warnings,
    fingerprint: fingerprintOf(scanned),
    cache: { dir: cacheDir, hit: cacheDir !== null && allHit, seconds: (performance.now() - started) / 1000, warnings: cacheWarnings },
  };
}

/** A Split of all of `batch`, or of the given rows (positions in `batch.pixels`); only those rows become float. */
function toSplit(batch: DecodedBatch, scan: LabeledFiles, per: number, rows?: number[]): Split {
  let bytes = batch.pixels;
  if (rows !== undefined) {
    bytes = new Uint8Array(rows.length * per);
    rows.forEach((row, i) => bytes.set(batch.pixels.subarray(row * per, (row + 1) * per), i * per));
  }
  const sources = rows === undefined ? batch.kept : rows.map((row) => batch.kept[row]);
  return {
    x: bytesToUnitFloat(bytes),
    y: Int32Array.from(sources, (k) => scan.labels[k]),
    files: sources.map((k) => scan.files[k].path),
    count: sources.length,
  };
}
