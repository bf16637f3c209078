import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classKey, classKeys } from '../../src/data/class-keys.js';
import { loadDataset } from '../../src/data/dataset.js';
import { validateKey } from '../../src/tracking/validation.js';
import { tempDir, writeDataset } from './fixtures.js';

const NAMES = ['NORMAL', 'PNEUMONIA', 'NORMÁL', 'NORMÁL 😷', 'A+B', 'A&B', '肺炎', '正常', 'a/b', 'v1.0 x-y', ':', 'x'.repeat(255)];

describe('class keys', () => {
  it('keeps plain names, drops accents, and maps the rest readably with a short hash', () => {
    expect(classKey('NORMAL')).toBe('NORMAL');
    expect(classKey('v1.0 x-y')).toBe('v1.0 x-y');
    expect(classKey('NORMÁL')).toBe('NORMAL');
    expect(classKey('A+B')).toMatch(/^A_B-[0-9a-f]{6}$/);
    expect(classKey('NORMÁL 😷')).toMatch(/^NORMAL _-[0-9a-f]{6}$/);
    expect(classKey('a/b')).toMatch(/^a_b-[0-9a-f]{6}$/);
  });

  it('gives every name a key MLflow accepts in each place a class becomes a key', () => {
    for (const name of NAMES) {
      const key = classKey(name);
      for (const full of [`test_specificity_${key}`, `class_weight.${key}`, `exp.target.specificity_${key}`, `targets.specificity_${key}`]) {
        expect(() => validateKey('metric', full)).not.toThrow();
      }
      expect(classKey(key)).toBe(key); // a key is its own key: metric names read back map to themselves
    }
  });

  it('is deterministic and keeps names apart that differ only in what it replaces', () => {
    expect(classKey('A+B')).toBe(classKey('A+B'));
    expect(classKeys(['A+B', 'A&B', '肺炎', '正常'])).toHaveLength(4);
    expect(new Set(classKeys(['A+B', 'A&B', '肺炎', '正常'])).size).toBe(4);
  });

  it('refuses two classes that would share a key, naming both', () => {
    expect(() => classKeys(['NORMAL', 'NORMÁL'])).toThrow("classes 'NORMAL' and 'NORMÁL' would both be logged as 'NORMAL'");
  });
});

describe('class keys when scanning', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('refuses class folders whose keys collide before decoding anything', async () => {
    await writeDataset(dir.path, { train: { NORMAL: 2, 'NORMÁL': 2 }, test: { NORMAL: 1, 'NORMÁL': 1 } });
    await expect(
      loadDataset({ dir: dir.path, image: { size: [8, 8], channels: 1 }, validation: { from: 'train', fraction: 0.5, stratify: true }, seed: 1, onBadImage: 'fail', cacheDir: null }),
    ).rejects.toThrow("would both be logged as 'NORMAL'");
  });
});
