import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { clamp01, probabilityParam, symmetric, type AugmentationComponent } from './augmentation.js';

export const brightness: AugmentationComponent = component({
  name: 'brightness',
  summary: 'adds a random offset in [-delta, delta] to every pixel (values stay in [0, 1])',
  params: Params({
    delta: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'largest offset either way' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const offset = symmetric(random, p.delta);
    const { data } = image;
    for (let i = 0; i < data.length; i++) data[i] = clamp01(data[i]! + offset);
  },
});
