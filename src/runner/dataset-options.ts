import type { ValidatedExperiment } from '../config/validate.js';
import type { LoadOptions } from '../data/index.js';
import { toPair } from '../registry/params.js';

/** How an experiment's `data:` block loads: the same for training and for its run identity. */
export function datasetOptions(exp: ValidatedExperiment): Omit<LoadOptions, 'onProgress'> {
  const { data, train } = exp.config;
  const [height, width] = toPair(data.image.size);
  return {
    dir: exp.dataDir,
    ...(data.classes ? { classes: data.classes } : {}),
    image: { size: [height, width], channels: data.image.channels },
    validation: data.validation.from === 'val'
      ? { from: 'val' }
      : {
          from: 'train',
          fraction: data.validation.fraction!,
          stratify: data.validation.stratify,
          ...(data.validation.group ? { group: typeof data.validation.group === 'string' ? { pattern: data.validation.group, from: 'name' } : data.validation.group } : {}),
        },
    seed: train.seed,
    onBadImage: data.on_bad_image,
    // EXP_CACHE_DIR moves the decoded-image cache (default .exp-cache in the working directory).
    cacheDir: data.cache ? process.env.EXP_CACHE_DIR || undefined : null,
  };
}
