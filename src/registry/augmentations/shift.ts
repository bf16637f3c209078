import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from './affine.js';
import { probabilityParam, symmetric, type AugmentationComponent } from './augmentation.js';

export const shift: AugmentationComponent = component({
  name: 'shift',
  summary: 'translates by a random fraction of the width and height',
  params: Params({
    width: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'largest shift as a fraction of the width' }),
    height: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'largest shift as a fraction of the height' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const tx = symmetric(random, p.width) * image.width;
    const ty = symmetric(random, p.height) * image.height;
    resampleAffine(image, [1, 0, 0, 1], -tx, -ty);
  },
});
