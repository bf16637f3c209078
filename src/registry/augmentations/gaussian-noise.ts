import { Type } from '@sinclair/typebox';
import { normal } from '../../data/distributions.js';
import { component } from '../component.js';
import { Params } from '../params.js';
import { clamp01, probabilityParam, type AugmentationComponent } from './augmentation.js';

export const gaussianNoise: AugmentationComponent = component({
  name: 'gaussian_noise',
  summary: 'adds independent Gaussian noise to every pixel (sensor noise), clipped to [0, 1]',
  params: Params({
    std: Type.Number({ minimum: 0, maximum: 1, default: 0.02, description: 'standard deviation, in units of the [0, 1] pixel range' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const { data } = image;
    for (let i = 0; i < data.length; i++) data[i] = clamp01(data[i]! + p.std * normal(random));
  },
});
