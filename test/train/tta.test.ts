import { describe, expect, it } from 'vitest';
import { flipInPlace } from '../../src/registry/augmentations/flip.js';
import { ttaViews } from '../../src/registry/tta/index.js';
import { predictViews, ttaViewsOf } from '../../src/train/tta.js';
import { mulberry32 } from '../../src/data/rng.js';

// A "model" that is not symmetric: p = mean of the left half of each image, so every view changes it.
const H = 6;
const W = 8;
const predict = async (x: Float32Array, n: number): Promise<Float32Array> =>
  Float32Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let y = 0; y < H; y++) for (let c = 0; c < W / 2; c++) s += x[i * H * W + y * W + c]!;
    return s / ((H * W) / 2);
  });

const images = (n: number): Float32Array => {
  const r = mulberry32(4);
  return Float32Array.from({ length: n * H * W }, (_, k) => ((k % W) / W) * 0.5 + r() * 0.5);
};

describe('test-time augmentation', () => {
  it('averages the probabilities of the images as they are and of every view, image by image', async () => {
    const x = images(3);
    const views = ttaViewsOf(['hflip', { shift: { fraction: 0.25 } }]);
    expect(views).toHaveLength(5);
    const got = await predictViews(predict, x, 3, [H, W, 1], views);
    const each = [await predict(x, 3)];
    for (const view of views) {
      const moved = x.slice();
      for (let i = 0; i < 3; i++) view({ data: moved.subarray(i * H * W, (i + 1) * H * W), height: H, width: W, channels: 1 });
      each.push(await predict(moved, 3));
    }
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(each.reduce((s, p) => s + p[i]!, 0) / each.length, 6);
    // The views matter: TTA is not the plain prediction.
    expect(Math.abs(got[0]! - each[0]![0]!)).toBeGreaterThan(1e-3);
    // The input is left as it was.
    expect(x).toEqual(images(3));
  });

  it('hflip is the mirror image; no views is the plain prediction', async () => {
    const x = images(2);
    const flipped = x.slice();
    for (let i = 0; i < 2; i++) flipInPlace({ data: flipped.subarray(i * H * W, (i + 1) * H * W), height: H, width: W, channels: 1 }, true);
    const [plain, mirrored] = [await predict(x, 2), await predict(flipped, 2)];
    const got = await predictViews(predict, x, 2, [H, W, 1], ttaViewsOf(['hflip']));
    got.forEach((v, i) => expect(v).toBeCloseTo((plain[i]! + mirrored[i]!) / 2, 6));
    expect(await predictViews(predict, x, 2, [H, W, 1], [])).toEqual(plain);
  });

  it('views are deterministic (no random draws) and listed in exp list tta', () => {
    expect(ttaViews.names()).toEqual(['hflip', 'rotate', 'shift', 'zoom']);
    for (const name of ttaViews.names()) {
      const [a, b] = [images(1), images(1)];
      for (const view of ttaViewsOf([name])) {
        view({ data: a, height: H, width: W, channels: 1 });
        view({ data: b, height: H, width: W, channels: 1 });
      }
      expect(a).toEqual(b);
      expect(a).not.toEqual(images(1));
    }
  });
});
