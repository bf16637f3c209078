/** Every registry, gathered so config validation, schema generation and `exp list` see the same set. */
export { augmentations } from './augmentations/index.js';
export { builtinArchitectures } from './architectures/index.js';
export { callbacks } from './callbacks/index.js';
export { classWeights } from './class-weights/index.js';
export { layers } from './layers/index.js';
export { losses, defaultLoss } from './losses/index.js';
export { metrics } from './metrics/index.js';
export { optimizers } from './optimizers/index.js';
export { schedulers } from './schedulers/index.js';
export { schedules } from './schedules/index.js';
export { ttaViews } from './tta/index.js';
export { Registry, UnknownNameError, type Entry } from './registry.js';
