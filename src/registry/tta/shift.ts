import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from '../augmentations/affine.js';
import type { TtaComponent } from './view.js';

export const shift: TtaComponent = component({
  name: 'shift',
  summary: 'four views: shifted left, right, up and down by a share of the size (edges repeated)',
  params: Params({ fraction: Type.Number({ exclusiveMinimum: 0, maximum: 0.5, default: 0.05, description: 'shift as a share of the width and height' }) }),
  create: (p) =>
    ([[1, 0], [-1, 0], [0, 1], [0, -1]] as const).map(([dx, dy]) => (image) => resampleAffine(image, [1, 0, 0, 1], -dx * p.fraction * image.width, -dy * p.fraction * image.height)),
});
