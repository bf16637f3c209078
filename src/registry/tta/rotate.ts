import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from '../augmentations/affine.js';
import type { TtaComponent } from './view.js';

export const rotate: TtaComponent = component({
  name: 'rotate',
  summary: 'two views: rotated by +degrees and -degrees about the centre',
  params: Params({ degrees: Type.Number({ exclusiveMinimum: 0, maximum: 45, default: 5, description: 'rotation either way' }) }),
  create: (p) =>
    [1, -1].map((sign) => (image) => {
      const t = (sign * p.degrees * Math.PI) / 180;
      resampleAffine(image, [Math.cos(t), Math.sin(t), -Math.sin(t), Math.cos(t)], 0, 0);
    }),
});
