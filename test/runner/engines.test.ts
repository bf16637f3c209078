import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/select.js';
import { losses } from '../../src/registry/index.js';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { predictSplit } from '../../src/train/loop.js';
import { meanCrossEntropy } from '../../src/train/targets.js';
import { ttaViewsOf } from '../../src/train/tta.js';
import type { View } from '../../src/registry/tta/index.js';
import { copySlice, runnerIn, temp, twoClassSlice, type Temp } from './fixtures.js';

// Seeded determinism and the callbacks, end to end on each engine (the real-image slice).
let t: Temp;
let data: string;
let runWith: ReturnType<typeof runnerIn>;

beforeAll(() => {
  t = temp();
  runWith = runnerIn(t.root);
  data = join(t.root, 'data');
  copySlice(data, twoClassSlice());
});
afterAll(() => t.cleanup());

describe('determinism per engine', () => {
  for (const engine of ['tfjs', 'onnx'] as const) {
    it(`${engine}: same seed same metrics, another seed other metrics (with augmentation and dropout)`, async () => {
      const patch = {
        model: { layers: [{ conv2d: { filters: 4, kernel: 3, strides: 2, activation: 'relu' } }, { dropout: { rate: 0.3 } }, 'flatten'] },
        augment: [{ flip: { p: 0.5 } }, { brightness: { delta: 0.2 } }, { cutout: { size: 0.2 } }, { mixup: { alpha: 0.4 } }],
        train: { epochs: 2, engine },
      };
      const [a, b] = [await runWith(data, patch), await runWith(data, patch)];
      const c = await runWith(data, { ...patch, train: { ...patch.train, seed: 99 } });
      expect(a.engine.name).toBe(engine);
      expect(b.weights).toEqual(a.weights);
      expect(b.fit.history.map((h) => h.val_loss)).toEqual(a.fit.history.map((h) => h.val_loss));
      expect(b.metrics).toEqual(a.metrics);
      expect(c.weights).not.toEqual(a.weights);
      expect(c.fit.history.map((h) => h.val_loss)).not.toEqual(a.fit.history.map((h) => h.val_loss));
    });
  }
});

describe('train.replicas end to end', () => {
  it('trains on real images with batch norm and dropout across two threads, seeded; tfjs refuses it', async () => {
    const patch = {
      model: { layers: [{ conv2d: { filters: 4, kernel: 3, strides: 2, activation: 'relu' } }, 'batchnorm', { dropout: { rate: 0.3 } }, 'flatten'] },
      augment: [{ flip: { p: 0.5 } }],
      train: { epochs: 2, replicas: 2 },
    };
    const [a, b] = [await runWith(data, patch), await runWith(data, patch)];
    expect(a.engine.name).toBe('onnx');
    expect(b.weights).toEqual(a.weights);
    expect(b.metrics).toEqual(a.metrics);
    expect(a.fit.history.map((h) => h.val_loss).every(Number.isFinite)).toBe(true);
    // Per-share batch statistics: not the one-session model.
    const one = await runWith(data, { ...patch, train: { epochs: 2, replicas: 1 } });
    expect(one.weights).not.toEqual(a.weights);
    // Refused by validation, before a run exists; and by the engine's choice for callers that skip it.
    await expect(Promise.resolve().then(() => runWith(data, { ...patch, train: { epochs: 1, replicas: 2, engine: 'tfjs' } }))).rejects.toThrow(/train.replicas: 2 splits batches .* but train.engine is tfjs/);
    const train = { epochs: 1, batch_size: 16, seed: 7, optimizer: { name: 'adam' }, schedule: { name: 'constant' }, callbacks: [], engine: 'tfjs' as const, backend: 'auto' as const, replicas: 2 };
    await expect(createEngine(train, a.model, losses.get('binary_crossentropy').create({}, undefined), createOptimizer({ name: 'adam' }))).rejects.toThrow(/train.replicas: 2 splits batches .* use train.engine: onnx/);
  });
});

describe('callbacks end to end', () => {
  for (const engine of ['tfjs', 'onnx'] as const) {
    it(`${engine}: early stopping ends with the best epoch's weights (its val loss, re-measured)`, async () => {
      // min_delta 10: only the first epoch counts as an improvement, so epoch 2 stops the run
      const train = { epochs: 4, engine, callbacks: [{ early_stopping: { monitor: 'val_loss', min_delta: 10, patience: 1, restore_best: true } }] };
      const outcome = await runWith(data, { train });
      expect(outcome.fit.history.map((h) => h.epoch)).toEqual([1, 2]);
      expect(outcome.fit.stoppedEarly).toMatch(/val_loss did not improve for 1 epoch/);
      expect(outcome.fit.keptEpoch).toBe(1);
      const [first, second] = outcome.fit.history;
      expect(Math.abs(first!.val_loss - second!.val_loss)).toBeGreaterThan(1e-4);

      // Rebuild the engine, load the outcome's final weights, measure validation again.
      const optimizer = createOptimizer({ name: 'adam', lr: 0.01 });
      const { engine: e } = await createEngine(
        { epochs: 4, batch_size: 16, seed: 7, optimizer: { name: 'adam' }, schedule: { name: 'constant' }, callbacks: [], engine, backend: 'auto', replicas: 1 },
        outcome.model,
        losses.get('binary_crossentropy').create({}, undefined),
        optimizer,
      );
      e.setWeights(outcome.weights);
      const valLoss = meanCrossEntropy(await predictSplit(e, outcome.dataset.val, 16), outcome.dataset.val.y, 1);
      await e.dispose();
      expect(valLoss).toBeCloseTo(first!.val_loss, 5);
    });

    it(`${engine}: reduce_lr_on_plateau lowers the engine's learning rate`, async () => {
      const train = { epochs: 3, engine, callbacks: [{ reduce_lr_on_plateau: { monitor: 'val_loss', min_delta: 10, patience: 1, factor: 0.5 } }] };
      const outcome = await runWith(data, { train });
      // each epoch logs the rate it trained with (read from the engine); epoch 2 is flat, so epoch 3 trains at half
      expect(outcome.fit.history.map((h) => h.lr)).toEqual([0.01, 0.01, 0.005].map((v) => expect.closeTo(v, 9)));
    });
  }
});


describe('evaluate.tta end to end', () => {
  it('validation and test probabilities are the mean over the images and their views, with the run final weights', async () => {
    const outcome = await runWith(data, { train: { epochs: 1, engine: 'onnx' }, evaluate: { tta: ['hflip', { zoom: { factor: 0.2 } }] } });
    const { engine: e } = await createEngine(
      { epochs: 1, batch_size: 16, seed: 7, optimizer: { name: 'adam' }, schedule: { name: 'constant' }, callbacks: [], engine: 'onnx', backend: 'auto', replicas: 1 },
      outcome.model,
      losses.get('binary_crossentropy').create({ label_smoothing: 0 }, undefined),
      createOptimizer({ name: 'adam' }),
    );
    e.setWeights(outcome.weights);
    for (const [split, got] of [[outcome.dataset.val, outcome.valOutputs], [outcome.dataset.test, outcome.testOutputs]] as const) {
      const views = [[], ...ttaViewsOf(['hflip', { zoom: { factor: 0.2 } }]).map((v) => [v])];
      const each = await Promise.all(views.map(async (v) => predictSplit(e, { ...split, x: applyViews(split.x, split.count, outcome.model.inputShape, v) }, 16)));
      got.forEach((p, i) => expect(p).toBeCloseTo(each.reduce((s, o) => s + o[i]!, 0) / each.length, 5));
      expect(Math.max(...got.map((p, i) => Math.abs(p - each[0]![i]!)))).toBeGreaterThan(1e-4);
    }
    await e.dispose();
  });
});

function applyViews(x: Float32Array, n: number, [height, width, channels]: readonly [number, number, number], views: View[]): Float32Array {
  const out = x.slice();
  const size = height * width * channels;
  for (const view of views) for (let i = 0; i < n; i++) view({ data: out.subarray(i * size, (i + 1) * size), height, width, channels });
  return out;
}
