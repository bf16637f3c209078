import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import type { AugmentationComponent, Image } from './augmentation.js';

export function flipInPlace(image: Image, horizontal: boolean): void {
  const { data, height: h, width: w, channels: ch } = image;
  const source = data.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = horizontal ? (y * w + (w - 1 - x)) * ch : ((h - 1 - y) * w + x) * ch;
      data.set(source.subarray(from, from + ch), (y * w + x) * ch);
    }
  }
}

export const flip: AugmentationComponent = component({
  name: 'flip',
  summary: 'mirrors the image left-right and/or top-bottom',
  params: Params({
    horizontal: Type.Boolean({ default: true, description: 'flip left-right' }),
    vertical: Type.Boolean({ default: false, description: 'flip top-bottom' }),
    p: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'probability of each flip' }),
  }),
  create: (p) => (image, random) => {
    if (p.horizontal && random() < p.p) flipInPlace(image, true);
    if (p.vertical && random() < p.p) flipInPlace(image, false);
  },
});
