import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import type { AugmentationComponent } from './augmentation.js';

export const flip: AugmentationComponent = component({
  name: 'flip',
  summary: 'mirrors the image left-right and/or top-bottom',
  params: Params({
    horizontal: Type.Boolean({ default: true, description: 'flip left-right' }),
    vertical: Type.Boolean({ default: false, description: 'flip top-bottom' }),
    p: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'probability of each flip' }),
  }),
  // A mirror lands on whole pixels, so on its own the resample copies them exactly.
  create: (p) => ({
    kind: 'geometric',
    draw(_image, random) {
      const h = p.horizontal && random() < p.p;
      const v = p.vertical && random() < p.p;
      return h || v ? [h ? -1 : 1, 0, 0, v ? -1 : 1, 0, 0] : undefined;
    },
  }),
});
