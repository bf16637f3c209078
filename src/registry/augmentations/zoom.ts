import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from './affine.js';
import { probabilityParam, symmetric, type AugmentationComponent } from './augmentation.js';

export const zoom: AugmentationComponent = component({
  name: 'zoom',
  summary: 'zooms in or out by a random factor in [1 - range, 1 + range]',
  params: Params({
    range: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'largest relative zoom either way' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const scale = 1 + symmetric(random, p.range);
    // Zooming in by `scale` reads the input at 1/scale of the output's distance from the centre.
    resampleAffine(image, [1 / scale, 0, 0, 1 / scale], 0, 0);
  },
});
