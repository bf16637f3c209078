import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/config/ajv.js';
import { IssueCollector } from '../../src/config/collector.js';
import { mulberry32 } from '../../src/data/rng.js';
import { augmentations, type Augment, type Image } from '../../src/registry/augmentations/index.js';

/** The augmentation as the runner creates it: params validated, defaults filled in. */
function make(name: string, params: Record<string, unknown> = {}): Augment {
  const component = augmentations.get(name);
  const issues = new IssueCollector([]);
  const p = structuredClone(params);
  if (!checkSchema(component.params, p, [name], issues)) throw new Error(issues.issues.map((i) => i.message).join('; '));
  return component.create(p, undefined);
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
  };

  it('covers every registered augmentation', () => {
    expect(Object.keys(strong).sort()).toEqual(augmentations.names());
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
