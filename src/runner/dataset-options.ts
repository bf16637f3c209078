import type { ValidatedExperiment } from '../config/validate.js';
import type { LoadOptions } from '../data/index.js';
import { toPair } from '../registry/params.js';

type Validation = ValidatedExperiment['config']['data']['validation'];

/** Where validation comes from: the val folder, a carve of train, or one fold of a k-fold expansion. */
function validationSpec(v: Validation): LoadOptions['validation'] {
  if (v.from === 'val') return { from: 'val' };
  const group = v.group ? { group: typeof v.group === 'string' ? { pattern: v.group, from: 'name' as const } : v.group } : {};
  if (v.kfold !== undefined) return { from: 'fold', k: v.kfold, index: v.fold ?? 0, stratify: v.stratify, ...group };
  return { from: 'train', fraction: v.fraction!, stratify: v.stratify, ...group };
}

/** How an experiment's `data:` block loads: the same for training and for its run identity. */
export function datasetOptions(exp: ValidatedExperiment): Omit<LoadOptions, 'onProgress'> {
  const { data, train } = exp.config;
  const [height, width] = toPair(data.image.size);
  return {
    dir: exp.dataDir,
    ...(data.classes ? { classes: data.classes } : {}),
    image: { size: [height, width], channels: data.image.channels },
    validation: validationSpec(data.validation),
    // The split's seed, not the training seed: runs of several training seeds can share validation.
    seed: data.validation.seed ?? train.seed,
    onBadImage: data.on_bad_image,
    // EXP_CACHE_DIR moves the decoded-image cache (default .exp-cache in the working directory).
    cacheDir: data.cache ? process.env.EXP_CACHE_DIR || undefined : null,
  };
}
