import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from './affine.js';
import { probabilityParam, symmetric, type AugmentationComponent } from './augmentation.js';

export const rotate: AugmentationComponent = component({
  name: 'rotate',
  summary: 'rotates by a random angle in [-degrees, degrees]',
  params: Params({
    degrees: Type.Number({ minimum: 0, maximum: 180, default: 10, description: 'largest rotation either way' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const theta = (symmetric(random, p.degrees) * Math.PI) / 180;
    const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
    resampleAffine(image, [cos, sin, -sin, cos], 0, 0);
  },
});
