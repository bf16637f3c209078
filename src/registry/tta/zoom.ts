import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from '../augmentations/affine.js';
import type { TtaComponent } from './view.js';

export const zoom: TtaComponent = component({
  name: 'zoom',
  summary: 'one view zoomed in by 1 + factor about the centre',
  params: Params({ factor: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.1, description: 'zoom in by 1 + factor' }) }),
  create: (p) => [(image) => resampleAffine(image, [1 / (1 + p.factor), 0, 0, 1 / (1 + p.factor)], 0, 0)],
});
