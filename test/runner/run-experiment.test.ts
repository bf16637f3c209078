import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, DataError } from '../../src/data/index.js';
import type { RunOutcome } from '../../src/runner/run-experiment.js';
import { issuesOf } from '../helpers/experiment-files.js';
import { copySlice, picks, runnerIn, temp, twoClassSlice, type Temp } from './fixtures.js';

let t: Temp;
/** train 20/20, val 4/4, test 10/10 of the real sample. */
let data: string;
/** The same, with the labels of half the test images swapped between the classes. */
let permuted: string;
/** train only (20 NORMAL / 12 PNEUMONIA), for validation carved out of it; test 5/5. */
let carve: string;

beforeAll(() => {
  t = temp();
  runWith = runnerIn(t.root);
  data = join(t.root, 'data');
  copySlice(data, twoClassSlice());
  permuted = join(t.root, 'permuted');
  copySlice(
    permuted,
    twoClassSlice({
      NORMAL: [...picks('test', 'NORMAL', 5), ...picks('test', 'PNEUMONIA', 5)],
      PNEUMONIA: [...picks('test', 'PNEUMONIA', 5, 5), ...picks('test', 'NORMAL', 5, 5)],
    }),
  );
  carve = join(t.root, 'carve');
  copySlice(carve, {
    train: { NORMAL: picks('train', 'NORMAL', 20, 30), PNEUMONIA: picks('train', 'PNEUMONIA', 12, 30) },
    test: { NORMAL: picks('test', 'NORMAL', 5, 20), PNEUMONIA: picks('test', 'PNEUMONIA', 5, 20) },
  });
});
afterAll(() => t.cleanup());

let runWith: ReturnType<typeof runnerIn>;

describe('runExperiment on a slice of the real images', () => {
  let outcome: RunOutcome;
  beforeAll(async () => {
    outcome = await runWith(data, { train: { epochs: 5, batch_size: 8 } });
  }, 60_000);

  it('trains: the training loss falls every epoch, and the validation loss with it', () => {
    const h = outcome.fit.history;
    expect(h.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < h.length; i++) expect(h[i]!.train_loss).toBeLessThan(h[i - 1]!.train_loss);
    expect(h[0]!.train_loss).toBeGreaterThan(0.6);
    expect(h[4]!.train_loss).toBeLessThan(h[0]!.train_loss - 0.02);
    expect(h[4]!.val_loss).toBeLessThan(h[0]!.val_loss);
    expect(outcome.fit.keptEpoch).toBe(5);
    expect(outcome.dataset.train.count).toBe(40);
    expect(outcome.dataset.val.count).toBe(8);
    expect(outcome.dataset.test.count).toBe(20);
    expect(outcome.dataset.shape).toEqual([16, 16, 1]);
  });

  it('a two-class model gets one sigmoid unit, binary cross-entropy and a 0.5 threshold by default', () => {
    expect(outcome.model.nodes.at(-1)?.layer).toEqual({ type: 'dense', units: 1, activation: 'sigmoid', useBias: true });
    expect(outcome.threshold.value).toBe(0.5);
    expect(outcome.evaluation.threshold).toBe(0.5);
    // the epoch's val_loss is binary cross-entropy of the final val predictions (last epoch kept)
    expect(outcome.fit.history.at(-1)!.val_loss).toBeGreaterThan(0);
  });

  it('test metrics agree with the confusion matrix', () => {
    const e = outcome.evaluation;
    const cm = e.confusion;
    expect(cm).toHaveLength(2);
    const total = cm.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(20);
    expect(e.n).toBe(20);
    expect(e.predictions).toHaveLength(20);
    const labels = Array.from(outcome.dataset.test.y);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) expect(cm[i]![j]).toBe(labels.filter((l, k) => l === i && e.predictions[k] === j).length);
    }
    expect(e.accuracy).toBeCloseTo((cm[0]![0]! + cm[1]![1]!) / 20, 12);
    for (let k = 0; k < 2; k++) {
      const row = cm[k]![0]! + cm[k]![1]!;
      const col = cm[0]![k]! + cm[1]![k]!;
      const c = e.perClass[k]!;
      expect(c.support).toBe(row);
      expect(c.recall).toBeCloseTo(row ? cm[k]![k]! / row : 0, 12);
      expect(c.precision).toBeCloseTo(col ? cm[k]![k]! / col : 0, 12);
      const name = outcome.dataset.classes[k]!;
      expect(outcome.metrics[`test_recall_${name}`]).toBe(c.recall);
      expect(outcome.metrics[`test_precision_${name}`]).toBe(c.precision);
      expect(outcome.metrics[`test_support_${name}`]).toBe(row);
    }
    expect(outcome.metrics.test_accuracy).toBe(e.accuracy);
    expect(e.balancedAccuracy).toBeCloseTo((e.perClass[0]!.recall + e.perClass[1]!.recall) / 2, 12);
  });

  it('logs validation at the kept epoch as best_val_<metric>: the kept epoch\'s loss, the kept weights at the chosen threshold', () => {
    const kept = outcome.fit.history.find((h) => h.epoch === outcome.fit.keptEpoch)!;
    expect(outcome.metrics.best_val_loss).toBe(kept.val_loss);
    expect(outcome.metrics.best_val_support_NORMAL! + outcome.metrics.best_val_support_PNEUMONIA!).toBe(outcome.dataset.val.count);
    expect(outcome.metrics.best_val_accuracy).toBeGreaterThanOrEqual(0);
    expect(outcome.metrics.best_val_auc).toBeGreaterThanOrEqual(0);
  });

  it('logs a 95% interval around each test metric', () => {
    for (const key of ['accuracy', 'auc', 'recall_NORMAL', 'balanced_accuracy']) {
      expect(outcome.metrics[`test_${key}_ci_low`]).toBeLessThanOrEqual(outcome.metrics[`test_${key}`]!);
      expect(outcome.metrics[`test_${key}_ci_high`]).toBeGreaterThanOrEqual(outcome.metrics[`test_${key}`]!);
    }
  });

  it('is deterministic: the same seed gives the same history, weights and metrics', async () => {
    const again = await runWith(data, { train: { epochs: 5, batch_size: 8 } });
    const measured = ({ seconds: _s, imagesPerSecond: _i, endedAt: _e, ...l }: (typeof outcome.fit.history)[number]) => l;
    expect(again.fit.history.map(measured)).toEqual(outcome.fit.history.map(measured));
    expect(again.weights).toEqual(outcome.weights);
    expect(again.metrics).toEqual(outcome.metrics);
  });

  it('another seed gives other weights and another history', async () => {
    const other = await runWith(data, { train: { epochs: 5, batch_size: 8, seed: 8 } });
    expect(other.weights[0]).not.toEqual(outcome.weights[0]);
    expect(other.fit.history[0]!.train_loss).not.toBe(outcome.fit.history[0]!.train_loss);
  });
});

describe('data', () => {
  it('the decoded-image cache: a miss, then a hit with the same arrays (EXP_CACHE_DIR)', async () => {
    const cacheDir = join(t.root, 'cache');
    const previous = process.env.EXP_CACHE_DIR;
    process.env.EXP_CACHE_DIR = cacheDir;
    try {
      const patch = { data: { cache: true }, train: { epochs: 1 } };
      const first = await runWith(data, patch);
      const second = await runWith(data, patch);
      expect(first.dataset.cache).toMatchObject({ dir: cacheDir, hit: false });
      expect(second.dataset.cache).toMatchObject({ dir: cacheDir, hit: true });
      expect(existsSync(cacheDir)).toBe(true);
      for (const s of ['train', 'val', 'test'] as const) {
        expect(second.dataset[s].x).toEqual(first.dataset[s].x);
        expect(second.dataset[s].y).toEqual(first.dataset[s].y);
      }
      expect(second.metrics).toEqual(first.metrics);
    } finally {
      if (previous === undefined) delete process.env.EXP_CACHE_DIR;
      else process.env.EXP_CACHE_DIR = previous;
    }
  });

  it('data.cache false reads and writes no cache', async () => {
    const outcome = await runWith(data, { train: { epochs: 1 } });
    expect(outcome.dataset.cache).toMatchObject({ dir: null, hit: false });
  });

  it('a corrupt image fails the run with an error naming it; on_bad_image skip leaves it out', async () => {
    const broken = join(t.root, 'broken');
    copySlice(broken, {
      train: { NORMAL: picks('train', 'NORMAL', 6), PNEUMONIA: picks('train', 'PNEUMONIA', 6) },
      val: { NORMAL: picks('val', 'NORMAL', 2), PNEUMONIA: picks('val', 'PNEUMONIA', 2) },
      test: { NORMAL: picks('test', 'NORMAL', 2), PNEUMONIA: picks('test', 'PNEUMONIA', 2) },
    });
    const bad = join(broken, 'train', 'PNEUMONIA', 'corrupt.jpeg');
    writeFileSync(bad, Buffer.from('this is not a JPEG at all'));
    const failing = runWith(broken, { train: { epochs: 1 } });
    await expect(failing).rejects.toBeInstanceOf(DataError);
    await expect(runWith(broken, { train: { epochs: 1 } })).rejects.toThrow(`cannot decode image ${bad}`);
    const skipped = await runWith(broken, { data: { on_bad_image: 'skip' }, train: { epochs: 1 } });
    expect(skipped.dataset.skipped.map((s) => s.file)).toEqual([bad]);
    expect(skipped.dataset.train.count).toBe(12);
    expect(skipped.dataset.train.files).not.toContain(bad);
  });

  it('a stratified validation split keeps the class proportions; balanced class weights come from the rest', async () => {
    const outcome = await runWith(carve, { data: { validation: { from: 'train', fraction: 0.25, stratify: true } }, class_weight: 'balanced', train: { epochs: 1 } });
    const count = (y: Int32Array, k: number) => Array.from(y).filter((l) => l === k).length;
    const { train, val, classes } = outcome.dataset;
    expect(classes).toEqual(['NORMAL', 'PNEUMONIA']);
    expect([count(val.y, 0), count(val.y, 1)]).toEqual([5, 3]);
    expect([count(train.y, 0), count(train.y, 1)]).toEqual([15, 9]);
    expect(new Set([...train.files, ...val.files]).size).toBe(32);
    train.files.forEach((f, i) => expect(f).toContain(`/${classes[train.y[i]!]}/`));
    // balanced: n_samples / (n_classes * n_class), on the 24 training images
    expect(outcome.classWeights[0]).toBeCloseTo(24 / (2 * 15), 12);
    expect(outcome.classWeights[1]).toBeCloseTo(24 / (2 * 9), 12);
  });

  it('augmentation changes training but never the loaded data set', async () => {
    const patch = { augment: [{ flip: { p: 1 } }, { brightness: { delta: 0.3, p: 1 } }], train: { epochs: 2 } };
    const augmented = await runWith(data, patch);
    const plain = await runWith(data, { train: { epochs: 2 } });
    const fresh = await loadDataset({ dir: data, image: { size: [16, 16], channels: 1 }, validation: { from: 'val' }, seed: 7, onBadImage: 'fail', cacheDir: null });
    for (const s of ['train', 'val', 'test'] as const) {
      expect(augmented.dataset[s].x).toEqual(fresh[s].x);
      expect(augmented.dataset[s].x).toEqual(plain.dataset[s].x);
    }
    expect(augmented.weights[0]).not.toEqual(plain.weights[0]);
  });
});

describe('threshold', () => {
  it('is chosen on validation only: permuting the test labels does not change it', async () => {
    const patch = { evaluate: { threshold: { choose_on: 'validation', maximize: 'balanced_accuracy', min_class_recall: 0 } }, train: { epochs: 2 } };
    const a = await runWith(data, patch);
    const b = await runWith(permuted, patch);
    expect(a.threshold.choice).toBeDefined();
    expect(b.threshold.value).toBe(a.threshold.value);
    expect(b.threshold.choice!.objective).toBe(a.threshold.choice!.objective);
    expect(b.evaluation.threshold).toBe(a.threshold.value);
    // the test set did change: the same images, half of them under the other label
    const relabelled = (o: RunOutcome) => o.dataset.test.files.filter((f, i) => !f.split('/').at(-1)!.startsWith(`test-${o.dataset.classes[o.dataset.test.y[i]!]}-`)).length;
    expect([relabelled(a), relabelled(b)]).toEqual([0, 10]);
    expect(b.weights).toEqual(a.weights);
    expect(b.evaluation.confusion).not.toEqual(a.evaluation.confusion);
  });
});

describe('engine errors', () => {
  const installed = (() => {
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(installed)('train.engine tfjs with backend tfjs-node, which is not installed, is refused at validation, naming how to install it', () => {
    // Validation says it before a run exists (config/validate.ts checkEngine).
    const issues = issuesOf(() => runWith(data, { train: { epochs: 1, engine: 'tfjs', backend: 'tfjs-node' } }));
    expect(issues.map((i) => i.message)).toEqual(['train.backend is tfjs-node, but @tensorflow/tfjs-node is not installed']);
    expect(issues[0]!.hints?.[0]).toMatch(/^npm install @tensorflow\/tfjs-node /);
  });
});
