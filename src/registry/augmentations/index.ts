import { Registry } from '../registry.js';
import type { AugmentationComponent } from './augmentation.js';
import { brightness } from './brightness.js';
import { contrast } from './contrast.js';
import { flip } from './flip.js';
import { rotate } from './rotate.js';
import { shift } from './shift.js';
import { zoom } from './zoom.js';
import { randomResizedCrop } from './random-resized-crop.js';
import { shear } from './shear.js';
import { gaussianNoise } from './gaussian-noise.js';
import { blur } from './blur.js';
import { cutout } from './cutout.js';
import { mixup } from './mixup.js';
import { cutmix } from './cutmix.js';

export { isBatchAugment, type Augment, type AugmentationComponent, type BatchAugment, type Image, type MixBatch } from './augmentation.js';

export const augmentations = new Registry<AugmentationComponent>('augmentation');
for (const a of [flip, rotate, zoom, shift, brightness, contrast, randomResizedCrop, shear, gaussianNoise, blur, cutout, mixup, cutmix]) augmentations.register(a);
