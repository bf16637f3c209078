import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { probabilityParam, type AugmentationComponent, type Image } from './augmentation.js';

/** A normalised 1-D Gaussian kernel of radius ceil(2 sigma). */
function kernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

/** Separable Gaussian blur in place, edges repeated. */
export function gaussianBlur(image: Image, sigma: number): void {
  const { data, height: h, width: w, channels: ch } = image;
  const k = kernel(sigma);
  const r = (k.length - 1) / 2;
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < ch; c++) {
          let sum = 0;
          for (let i = -r; i <= r; i++) {
            const xx = horizontal ? Math.min(w - 1, Math.max(0, x + i)) : x;
            const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + i));
            sum += k[i + r]! * src[(yy * w + xx) * ch + c]!;
          }
          out[(y * w + x) * ch + c] = sum;
        }
      }
    }
    return out;
  };
  data.set(pass(pass(data, true), false));
}

export const blur: AugmentationComponent = component({
  name: 'blur',
  summary: 'Gaussian blur with a random sigma in [0.1, sigma] pixels (focus and motion differences between machines)',
  params: Params({
    sigma: Type.Number({ minimum: 0.1, maximum: 10, default: 1, description: 'largest blur, in pixels' }),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    gaussianBlur(image, 0.1 + random() * (p.sigma - 0.1));
  },
});
