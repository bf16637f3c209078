import type { Affine, Augment, Image } from './augmentation.js';

const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

/** The map of applying `first`, then `second`: output p reads the input at first(second(p)). */
export function compose(first: Affine, second: Affine): Affine {
  const [a1, b1, c1, d1, tx1, ty1] = first;
  const [a2, b2, c2, d2, tx2, ty2] = second;
  return [a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2, a1 * tx2 + b1 * ty2 + tx1, c1 * tx2 + d1 * ty2 + ty1];
}

/**
 * Resamples `image` in place through an inverse affine map about its centre. Bilinear, with
 * edge pixels repeated outside the image (Keras' fill_mode 'nearest'), so rotated and shifted
 * X-rays get no black corners that a model could learn from.
 */
export function resampleAffine(image: Image, map: Affine): void {
  const { data, height: h, width: w, channels: ch } = image;
  const source = data.slice();
  const [a, b, c, d, tx, ty] = map;
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

/**
 * Applies the augmentations in order. Consecutive geometric ones are composed into one map and
 * the image is resampled once: less blur than one bilinear pass each, and less work.
 */
export function applyAugments(augments: readonly Augment[], image: Image, random: () => number): void {
  let pending: Affine | undefined;
  const flush = () => {
    if (pending && pending.some((v, i) => v !== IDENTITY[i])) resampleAffine(image, pending);
    pending = undefined;
  };
  for (const augment of augments) {
    if (augment.kind === 'pixel') {
      flush();
      augment.apply(image, random);
      continue;
    }
    const map = augment.draw(image, random);
    if (map) pending = pending ? compose(pending, map) : map;
  }
  flush();
}
