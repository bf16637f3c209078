import type { Image } from './augmentation.js';

/**
 * Resamples `image` in place through an inverse affine map about the image centre:
 * output (x, y) reads input (a*x' + b*y' + cx + tx, c*x' + d*y' + cy + ty), x' = x - cx.
 * Bilinear, with edge pixels repeated outside the image (Keras' fill_mode 'nearest'),
 * so rotated and shifted X-rays get no black corners that a model could learn from.
 */
export function resampleAffine(image: Image, inverse: [number, number, number, number], tx: number, ty: number): void {
  const { data, height: h, width: w, channels: ch } = image;
  const source = data.slice();
  const [a, b, c, d] = inverse;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const sx = Math.min(w - 1, Math.max(0, a * dx + b * dy + cx + tx));
      const sy = Math.min(h - 1, Math.max(0, c * dx + d * dy + cy + ty));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let k = 0; k < ch; k++) {
        const p00 = source[(y0 * w + x0) * ch + k]!;
        const p01 = source[(y0 * w + x1) * ch + k]!;
        const p10 = source[(y1 * w + x0) * ch + k]!;
        const p11 = source[(y1 * w + x1) * ch + k]!;
        data[(y * w + x) * ch + k] = (p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy;
      }
    }
  }
}
