import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/config/ajv.js';
import { IssueCollector } from '../../src/config/collector.js';
import { mulberry32 } from '../../src/data/rng.js';
import { augmentations, isBatchAugment, type Augment, type BatchAugment, type Image } from '../../src/registry/augmentations/index.js';

/** The augmentation as the runner creates it: params validated, defaults filled in. */
function create(name: string, params: Record<string, unknown>): Augment | BatchAugment {
  const component = augmentations.get(name);
  const issues = new IssueCollector([]);
  const p = structuredClone(params);
  if (!checkSchema(component.params, p, [name], issues)) throw new Error(issues.issues.map((i) => i.message).join('; '));
  return component.create(p, undefined);
}

function make(name: string, params: Record<string, unknown> = {}): Augment {
  const a = create(name, params);
  if (isBatchAugment(a)) throw new Error(`${name} is a batch augmentation`);
  return a;
}

function makeBatch(name: string, params: Record<string, unknown> = {}): BatchAugment {
  const a = create(name, params);
  if (!isBatchAugment(a)) throw new Error(`${name} is an image augmentation`);
  return a;
}

/** A random image with values in [0, 1]. */
function image(height: number, width: number, channels: number, seed = 1): Image {
  const r = mulberry32(seed);
  return { data: Float32Array.from({ length: height * width * channels }, () => r()), height, width, channels };
}

const copy = (img: Image): Image => ({ ...img, data: img.data.slice() });
const at = (img: Image, y: number, x: number, k: number): number => img.data[(y * img.width + x) * img.channels + k]!;

/** A generator that returns the given values in turn (then repeats the last). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

function applied(augment: Augment, img: Image, random: () => number): Image {
  const out = copy(img);
  augment(out, random);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('flip', () => {
  const img = image(3, 5, 2);

  it('horizontal with p=1 is an exact left-right mirror of every channel', () => {
    const out = applied(make('flip', { horizontal: true, p: 1 }), img, mulberry32(3));
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) for (let k = 0; k < 2; k++) expect(at(out, y, x, k)).toBe(at(img, y, 4 - x, k));
  });

  it('vertical only with p=1 is an exact top-bottom mirror', () => {
    const out = applied(make('flip', { horizontal: false, vertical: true, p: 1 }), img, mulberry32(3));
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) for (let k = 0; k < 2; k++) expect(at(out, y, x, k)).toBe(at(img, 2 - y, x, k));
  });

  it('twice is the identity', () => {
    const flip = make('flip', { horizontal: true, vertical: true, p: 1 });
    const out = applied(flip, img, mulberry32(1));
    expect(Array.from(out.data)).not.toEqual(Array.from(img.data));
    flip(out, mulberry32(2));
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('applies with probability p', () => {
    const flip = make('flip', { horizontal: true, p: 0.3 });
    const random = mulberry32(11);
    let flipped = 0;
    for (let i = 0; i < 2000; i++) if (applied(flip, img, random).data[0] !== img.data[0]) flipped++;
    expect(flipped / 2000).toBeGreaterThan(0.25);
    expect(flipped / 2000).toBeLessThan(0.35);
  });
});

describe('every augmentation', () => {
  const strong: Record<string, Record<string, unknown>> = {
    flip: { horizontal: true, vertical: true },
    rotate: { degrees: 45 },
    zoom: { range: 0.5 },
    shift: { width: 0.3, height: 0.3 },
    brightness: { delta: 0.5 },
    contrast: { factor: 0.9 },
    random_resized_crop: { scale: [0.5, 0.8] },
    shear: { degrees: 20 },
    gaussian_noise: { std: 0.1 },
    blur: { sigma: 2 },
    cutout: { size: 0.4 },
  };

  it('covers every registered augmentation', () => {
    // The batch-level ones (mixup, cutmix) are covered on batches below.
    expect([...Object.keys(strong), 'cutmix', 'mixup'].sort()).toEqual(augmentations.names());
  });

  for (const [name, params] of Object.entries(strong)) {
    it(`${name}: p=0 changes nothing`, () => {
      const img = image(8, 6, 1, 5);
      const augment = make(name, { ...params, p: 0 });
      const random = mulberry32(9);
      for (let i = 0; i < 20; i++) expect(Array.from(applied(augment, img, random).data)).toEqual(Array.from(img.data));
    });

    it(`${name}: same seed, same output; another seed, another output`, () => {
      const img = image(8, 6, 3, 5);
      // A flip with p=1 has one outcome; at 0.5 its seeds choose among four.
      const augment = make(name, { ...params, p: name === 'flip' ? 0.5 : 1 });
      const outputs = [1, 2, 3, 4, 5, 6].map((seed) => Array.from(applied(augment, img, mulberry32(seed)).data));
      const again = [1, 2, 3, 4, 5, 6].map((seed) => Array.from(applied(augment, img, mulberry32(seed)).data));
      expect(again).toEqual(outputs);
      expect(new Set(outputs.map((o) => o.join())).size).toBeGreaterThan(1);
      expect(outputs.some((o) => o.some((v, i) => v !== img.data[i]))).toBe(true);
    });

    it(`${name}: keeps values in [0, 1] and the image size`, () => {
      const augment = make(name, { ...params, p: 1 });
      const random = mulberry32(77);
      for (let s = 0; s < 30; s++) {
        const out = applied(augment, image(7, 9, 1, s), random);
        expect(out.data.length).toBe(63);
        for (const v of out.data) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }
    });
  }
});

describe('brightness and contrast', () => {
  it('brightness adds one offset to every pixel, clipped to [0, 1]', () => {
    const img: Image = { data: Float32Array.from([0, 0.2, 0.5, 0.95, 1]), height: 1, width: 5, channels: 1 };
    // p check draws 0 (< p), then the offset draws 1: offset = +delta.
    const out = applied(make('brightness', { delta: 0.1, p: 1 }), img, sequence(0, 1));
    expect(Array.from(out.data).map((v) => +v.toFixed(5))).toEqual([0.1, 0.3, 0.6, 1, 1]);
    const down = applied(make('brightness', { delta: 0.3, p: 1 }), img, sequence(0, 0));
    expect(Array.from(down.data).map((v) => +v.toFixed(5))).toEqual([0, 0, 0.2, 0.65, 0.7]);
  });

  it('contrast scales the distance from the mean, clipped to [0, 1]', () => {
    const img: Image = { data: Float32Array.from([0.2, 0.4, 0.6, 0.8]), height: 2, width: 2, channels: 1 };
    // factor 1 drawn at +1: scale 2 about the mean 0.5.
    const out = applied(make('contrast', { factor: 1, p: 1 }), img, sequence(0, 1));
    expect(Array.from(out.data).map((v) => +v.toFixed(5))).toEqual([0, 0.3, 0.7, 1]);
    // drawn at 0: scale 0, every pixel becomes the mean.
    const flat = applied(make('contrast', { factor: 1, p: 1 }), img, sequence(0, 0));
    expect(Array.from(flat.data).map((v) => +v.toFixed(5))).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});

describe('geometric augmentations', () => {
  it('rotate by 0 degrees is the identity', () => {
    const img = image(9, 7, 3, 4);
    const out = applied(make('rotate', { degrees: 0, p: 1 }), img, mulberry32(5));
    expect(maxAbsDiff(out.data, img.data)).toBeLessThan(1e-6);
  });

  it('rotate by 90 degrees turns a square image a quarter turn', () => {
    const img = image(5, 5, 1, 8);
    // p check 0, angle draw 1: +degrees.
    const out = applied(make('rotate', { degrees: 90, p: 1 }), img, sequence(0, 1));
    let cw = 0;
    let ccw = 0;
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        cw = Math.max(cw, Math.abs(at(out, y, x, 0) - at(img, 4 - x, y, 0)));
        ccw = Math.max(ccw, Math.abs(at(out, y, x, 0) - at(img, x, 4 - y, 0)));
      }
    }
    expect(Math.min(cw, ccw)).toBeLessThan(1e-5);
  });

  it('a small rotation changes the image but keeps its centre pixel', () => {
    const img = image(9, 9, 1, 2);
    const out = applied(make('rotate', { degrees: 20, p: 1 }), img, sequence(0, 1));
    expect(maxAbsDiff(out.data, img.data)).toBeGreaterThan(0.05);
    expect(at(out, 4, 4, 0)).toBeCloseTo(at(img, 4, 4, 0), 6);
  });

  it('zoom with range 0 is the identity', () => {
    const img = image(6, 8, 1, 4);
    const out = applied(make('zoom', { range: 0, p: 1 }), img, mulberry32(5));
    expect(maxAbsDiff(out.data, img.data)).toBeLessThan(1e-6);
  });

  it('shift by a whole number of pixels moves the content and repeats the edge', () => {
    const img = image(4, 8, 1, 6);
    // width 0.25 of 8 pixels, drawn at +1: 2 pixels; height drawn at 0.5: no vertical shift.
    const out = applied(make('shift', { width: 0.25, height: 0.25, p: 1 }), img, sequence(0, 1, 0.5));
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 8; x++) expect(at(out, y, x, 0)).toBeCloseTo(at(img, y, Math.max(0, x - 2), 0), 6);
    }
  });
});

describe('the recipe augmentations: seeded, shapes and ranges kept, and what each does', () => {
  const img = image(24, 20, 1, 7);
  it('cutout zeroes exactly one box of the given size, inside the image, and leaves the rest', () => {
    const bright = { ...img, data: img.data.map((v) => 0.5 + v / 2) };
    const out = applied(make('cutout', { size: 0.25 }), bright, mulberry32(9));
    const zeros: [number, number][] = [];
    for (let y = 0; y < 24; y++) for (let x = 0; x < 20; x++) if (at(out, y, x, 0) === 0) zeros.push([y, x]);
    // 0.25 of 24 x 20: a 6 x 5 box.
    expect(zeros).toHaveLength(30);
    const ys = zeros.map(([y]) => y);
    const xs = zeros.map(([, x]) => x);
    expect(Math.max(...ys) - Math.min(...ys)).toBe(5);
    expect(Math.max(...xs) - Math.min(...xs)).toBe(4);
    out.data.forEach((v, i) => v !== 0 && expect(v).toBe(bright.data[i]));
  });

  it('gaussian_noise has the given standard deviation and no bias (away from the clip)', () => {
    const grey: Image = { data: new Float32Array(200 * 200).fill(0.5), height: 200, width: 200, channels: 1 };
    const out = applied(make('gaussian_noise', { std: 0.05 }), grey, mulberry32(2));
    const diffs = Array.from(out.data, (v) => v - 0.5);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / diffs.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(sd).toBeCloseTo(0.05, 3);
  });

  it('blur keeps the mean of a smooth image, removes high frequencies, and leaves a constant image as it is', () => {
    const checker: Image = { data: Float32Array.from({ length: 16 * 16 }, (_, i) => ((i % 16) + Math.floor(i / 16)) % 2), height: 16, width: 16, channels: 1 };
    const out = applied(make('blur', { sigma: 3 }), checker, sequence(0, 1));
    const centre = at(out, 8, 8, 0);
    expect(Math.abs(centre - 0.5)).toBeLessThan(0.05);
    const flat: Image = { data: new Float32Array(64).fill(0.3), height: 8, width: 8, channels: 1 };
    applied(make('blur'), flat, mulberry32(1)).data.forEach((v) => expect(v).toBeCloseTo(0.3, 6));
  });

  it('shear moves rows by their distance from the centre and leaves the centre row', () => {
    // A vertical line in the middle column becomes slanted; the middle row keeps its pixel.
    const line: Image = { data: Float32Array.from({ length: 21 * 21 }, (_, i) => (i % 21 === 10 ? 1 : 0)), height: 21, width: 21, channels: 1 };
    const out = applied(make('shear', { degrees: 20 }), line, sequence(0, 1));
    expect(at(out, 10, 10, 0)).toBeCloseTo(1, 6);
    const top = Array.from({ length: 21 }, (_, x) => at(out, 0, x, 0));
    const bottom = Array.from({ length: 21 }, (_, x) => at(out, 20, x, 0));
    const peak = (row: number[]) => row.indexOf(Math.max(...row));
    expect(peak(top)).not.toBe(10);
    expect(peak(top) - 10).toBe(-(peak(bottom) - 10));
  });

  it('random_resized_crop with scale [0.25, 0.25] and ratio 1 magnifies a centred crop of half the side', () => {
    // A horizontal ramp: a crop of half the width stretched back to the full width halves the ramp's slope.
    const ramp: Image = { data: Float32Array.from({ length: 33 * 33 }, (_, i) => (i % 33) / 32), height: 33, width: 33, channels: 1 };
    const out = applied(make('random_resized_crop', { scale: [0.25, 0.25], ratio: [1, 1] }), ramp, sequence(0, 0.5, 0.5, 0.5, 0.5));
    expect(at(out, 16, 16, 0)).toBeCloseTo(0.5, 5);
    expect(at(ramp, 16, 24, 0) - at(ramp, 16, 8, 0)).toBeCloseTo(0.5, 6);
    expect(at(out, 16, 24, 0) - at(out, 16, 8, 0)).toBeCloseTo(0.25, 6);
  });
});

describe('mixup and cutmix (batch-level)', () => {
  const n = 6;
  const size = 10 * 10;
  const batchOf = () => {
    const r = mulberry32(3);
    const labels = [0, 1, 0, 1, 1, 0];
    return {
      x: Float32Array.from({ length: n * size }, () => r()),
      targets: Float32Array.from(labels),
      weights: Float32Array.from(labels, (l) => (l ? 2 : 0.5)),
      n,
      units: 1,
      image: { height: 10, width: 10, channels: 1 },
    };
  };

  for (const name of ['mixup', 'cutmix'] as const) {
    it(`${name}: seeded; each image is a mix of itself and one other, and its target and class weight mix in the same share`, () => {
      const original = batchOf();
      const [a, b, c] = [batchOf(), batchOf(), batchOf()];
      makeBatch(name).mixBatch(a, mulberry32(4));
      makeBatch(name).mixBatch(b, mulberry32(4));
      makeBatch(name).mixBatch(c, mulberry32(8));
      expect(a).toEqual(b);
      expect(a.x).not.toEqual(c.x);
      for (let i = 0; i < n; i++) {
        const img = a.x.subarray(i * size, (i + 1) * size);
        // Find the share lambda and partner j that explain the image.
        let explained = false;
        for (let j = 0; j < n && !explained; j++) {
          const own = original.x.subarray(i * size, (i + 1) * size);
          const other = original.x.subarray(j * size, (j + 1) * size);
          if (name === 'mixup') {
            const k = own.findIndex((v, q) => Math.abs(v - other[q]!) > 0.2);
            const lambda = j === i ? 1 : (img[k]! - other[k]!) / (own[k]! - other[k]!);
            if (img.every((v, q) => Math.abs(v - (lambda * own[q]! + (1 - lambda) * other[q]!)) < 1e-5)) {
              explained = true;
              expect(a.targets[i]).toBeCloseTo(lambda * original.targets[i]! + (1 - lambda) * original.targets[j]!, 5);
              expect(a.weights[i]).toBeCloseTo(lambda * original.weights[i]! + (1 - lambda) * original.weights[j]!, 5);
            }
          } else if (img.every((v, q) => v === own[q] || v === other[q])) {
            const kept = img.filter((v, q) => v === own[q]).length / size;
            explained = true;
            if (j !== i) {
              expect(a.targets[i]).toBeCloseTo(kept * original.targets[i]! + (1 - kept) * original.targets[j]!, 5);
              expect(a.weights[i]).toBeCloseTo(kept * original.weights[i]! + (1 - kept) * original.weights[j]!, 5);
            }
          }
        }
        expect(explained, `image ${i}`).toBe(true);
      }
    });
  }

  it('are listed with the rest, and p: 0 leaves the batch as it was', () => {
    expect(augmentations.names()).toEqual(expect.arrayContaining(['random_resized_crop', 'shear', 'gaussian_noise', 'blur', 'cutout', 'mixup', 'cutmix']));
    const batch = batchOf();
    makeBatch('mixup', { p: 0 }).mixBatch(batch, mulberry32(1));
    expect(batch).toEqual(batchOf());
  });
});
