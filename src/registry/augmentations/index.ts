import { Registry } from '../registry.js';
import type { AugmentationComponent } from './augmentation.js';
import { brightness } from './brightness.js';
import { contrast } from './contrast.js';
import { flip } from './flip.js';
import { rotate } from './rotate.js';
import { shift } from './shift.js';
import { zoom } from './zoom.js';

export type { Augment, AugmentationComponent, Image } from './augmentation.js';

export const augmentations = new Registry<AugmentationComponent>('augmentation');
for (const a of [flip, rotate, zoom, shift, brightness, contrast]) augmentations.register(a);
