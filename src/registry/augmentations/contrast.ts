import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { clamp01, probabilityParam, symmetric, type AugmentationComponent } from './augmentation.js';

export const contrast: AugmentationComponent = component({
  name: 'contrast',
  summary: "scales each pixel's distance from the image mean by a random factor in [1 - factor, 1 + factor]",
  params: Params({
    factor: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'largest relative change either way' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const scale = 1 + symmetric(random, p.factor);
    const { data } = image;
    let mean = 0;
    for (let i = 0; i < data.length; i++) mean += data[i]!;
    mean /= data.length;
    for (let i = 0; i < data.length; i++) data[i] = clamp01((data[i]! - mean) * scale + mean);
  },
});
