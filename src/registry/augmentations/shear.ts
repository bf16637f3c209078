import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from './affine.js';
import { probabilityParam, symmetric, type AugmentationComponent } from './augmentation.js';

export const shear: AugmentationComponent = component({
  name: 'shear',
  summary: 'shears horizontally by a random angle in [-degrees, degrees] (Keras shear_range), edges repeated',
  params: Params({
    degrees: Type.Number({ minimum: 0, maximum: 45, default: 10, description: 'largest shear angle' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const k = Math.tan((symmetric(random, p.degrees) * Math.PI) / 180);
    // Output (x, y) reads input (x + k*y, y): rows slide in proportion to their height from the centre.
    resampleAffine(image, [1, k, 0, 1], 0, 0);
  },
});
