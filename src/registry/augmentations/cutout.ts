import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { probabilityParam, type AugmentationComponent } from './augmentation.js';

export const cutout: AugmentationComponent = component({
  name: 'cutout',
  summary: 'sets a random box of `size` (share of the height and width) to `value` (DeVries & Taylor), so no single region decides',
  params: Params({
    size: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.25, description: 'box side as a share of the image height and width' }),
    value: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'what the box is filled with' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const { data, height: h, width: w, channels: ch } = image;
    const bh = Math.max(1, Math.round(p.size * h));
    const bw = Math.max(1, Math.round(p.size * w));
    // The whole box lies inside the image.
    const top = Math.floor(random() * (h - bh + 1));
    const left = Math.floor(random() * (w - bw + 1));
    for (let y = top; y < top + bh; y++) data.fill(p.value, (y * w + left) * ch, (y * w + left + bw) * ch);
  },
});
