import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import type { Experiment } from '../../src/config/schema.js';
import { mulberry32 } from '../../src/data/rng.js';
import type { TrainingEngine } from '../../src/engine/engine.js';
import { createEngine } from '../../src/engine/select.js';
import { chain, type LayerSpec, type ModelSpec } from '../../src/model/spec.js';
import { callbacks } from '../../src/registry/callbacks/index.js';
import type { LossSpec } from '../../src/registry/losses/index.js';
import { createOptimizer, type OptimizerSpec } from '../../src/registry/optimizers/index.js';
import { fit } from '../../src/train/loop.js';
import { encodeLabels } from '../../src/model/head.js';

const H = 8;
const SIZE = H * H;

const conv: LayerSpec = { type: 'conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true };
const head = (units: number) => ({ type: 'dense', units, activation: units === 1 ? 'sigmoid' : 'softmax', useBias: true }) as const;
const spec = (units = 1, extra: LayerSpec[] = []): ModelSpec => chain([H, H, 1], [conv, ...extra, { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' }, { type: 'flatten' }, head(units)]);

const ADAM = createOptimizer({ name: 'adam', lr: 0.01 });
const SGD = createOptimizer({ name: 'sgd', lr: 0.1 });
const MOMENTUM = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9 });
const RMSPROP = createOptimizer({ name: 'rmsprop', lr: 0.01 });
const lossFor = (units: number): LossSpec => ({ name: units === 1 ? 'binary_crossentropy' : 'categorical_crossentropy', label_smoothing: 0 });

function trainConfig(o: Partial<Experiment['train']> = {}): Experiment['train'] {
  return { epochs: 1, batch_size: 8, seed: 42, optimizer: { name: 'adam' }, schedule: { name: 'constant' }, callbacks: [], engine: 'tfjs', backend: 'cpu', replicas: 1, ...o };
}

async function engine(o: { engine?: 'tfjs' | 'onnx'; backend?: 'cpu' | 'wasm'; seed?: number; units?: number; optimizer?: OptimizerSpec; model?: ModelSpec } = {}): Promise<TrainingEngine> {
  const units = o.units ?? 1;
  const { engine: e } = await createEngine(trainConfig({ engine: o.engine ?? 'tfjs', backend: o.backend ?? 'cpu', seed: o.seed ?? 42 }), o.model ?? spec(units), lossFor(units), o.optimizer ?? ADAM);
  return e;
}

/** A batch of n random images, labels alternating over `classes`. */
function batch(n: number, classes: number, seed = 3): { x: Float32Array; labels: number[] } {
  const r = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  // Each class gets its own mean brightness, so there is something to learn.
  const x = Float32Array.from({ length: n * SIZE }, (_, k) => Math.min(1, r() * 0.5 + labels[Math.floor(k / SIZE)]! * 0.25));
  return { x, labels };
}

const maxDiff = (a: Float32Array[], b: Float32Array[]): number => {
  expect(a.map((w) => w.length)).toEqual(b.map((w) => w.length));
  return Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i]![j]!)))));
};

const installed = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

describe('tfjs engine', () => {
  it('starts from seeded weights: same seed the same, another seed different', async () => {
    const [a, b, c] = await Promise.all([engine({ seed: 5 }), engine({ seed: 5 }), engine({ seed: 6 })]);
    expect(a.name).toBe('tfjs');
    expect(a.backend).toBe('cpu');
    expect(maxDiff(a.getWeights(), b.getWeights())).toBe(0);
    expect(maxDiff(a.getWeights(), c.getWeights())).toBeGreaterThan(0.01);
    // biases start at zero
    expect(Array.from(a.getWeights()[1]!)).toEqual([0, 0, 0, 0]);
    await Promise.all([a, b, c].map((e) => e.dispose()));
  });

  it('trainStep lowers the loss on a batch it keeps seeing, and predict agrees with its outputs shape', async () => {
    const e = await engine({ units: 3 });
    const { x, labels } = batch(12, 3);
    const targets = encodeLabels(labels, 3);
    const weights = new Float32Array(12).fill(1);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const { loss, outputs } = await e.trainStep(x, targets, weights);
      expect(outputs.length).toBe(36);
      losses.push(loss);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    const p = await e.predict(x, 12);
    expect(p.length).toBe(36);
    for (let i = 0; i < 12; i++) expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).toBeCloseTo(1, 5);
    await e.dispose();
  });

  it('sample weights scale the loss', async () => {
    const e = await engine({ optimizer: createOptimizer({ name: 'sgd', lr: 1e-9 }) });
    const { x, labels } = batch(8, 2);
    const targets = encodeLabels(labels, 1);
    const one = (await e.trainStep(x, targets, new Float32Array(8).fill(1))).loss;
    const three = (await e.trainStep(x, targets, new Float32Array(8).fill(3))).loss;
    expect(three).toBeCloseTo(3 * one, 4);
    // weight 0 on the second half: the mean over all 8 of the first half's losses
    const half = (await e.trainStep(x, targets, Float32Array.from({ length: 8 }, (_, i) => (i < 4 ? 2 : 0)))).loss;
    const firstHalf = (await e.trainStep(x.slice(0, 4 * SIZE), targets.slice(0, 4), new Float32Array(4).fill(1))).loss;
    expect(half).toBeCloseTo(firstHalf, 4);
    await e.dispose();
  });

  for (const [label, optimizer] of [['adam', ADAM], ['sgd', SGD], ['sgd with momentum', MOMENTUM], ['rmsprop', RMSPROP]] as const) {
    it(`setting the learning rate takes effect (${label})`, async () => {
      const e = await engine({ optimizer });
      const { x, labels } = batch(8, 2);
      const targets = encodeLabels(labels, 1);
      const w = new Float32Array(8).fill(1);
      const before = e.getWeights();
      e.learningRate = 0;
      expect(e.learningRate).toBe(0);
      await e.trainStep(x, targets, w);
      expect(maxDiff(before, e.getWeights())).toBe(0);
      e.learningRate = optimizer.lr;
      await e.trainStep(x, targets, w);
      expect(maxDiff(before, e.getWeights())).toBeGreaterThan(1e-4);
      await e.dispose();
    });
  }

  it('plain SGD steps scale with the learning rate set on the engine', async () => {
    const { x, labels } = batch(8, 2);
    const targets = encodeLabels(labels, 1);
    const w = new Float32Array(8).fill(1);
    const delta = async (lr: number) => {
      const e = await engine({ optimizer: SGD });
      e.learningRate = lr;
      const before = e.getWeights();
      await e.trainStep(x, targets, w);
      const after = e.getWeights();
      await e.dispose();
      return after.map((a, i) => a.map((v, j) => v - before[i]![j]!));
    };
    const [big, small] = [await delta(0.1), await delta(0.01)];
    const scaled = big.map((d) => d.map((v) => v / 10));
    expect(maxDiff(scaled, small)).toBeLessThan(1e-6);
    expect(Math.max(...big.map((d) => Math.max(...d.map(Math.abs))))).toBeGreaterThan(1e-3);
  });

  it('leaks no tensors: tf.memory().numTensors is flat between epochs and back to the start after dispose', async () => {
    const model = spec(1, [
      { type: 'batchnorm', momentum: 0.99, epsilon: 1e-3 },
      { type: 'dropout', rate: 0.25 },
    ]);
    const start = tf.memory().numTensors;
    const e = await engine({ model, optimizer: MOMENTUM });
    const r = mulberry32(1);
    const n = 20;
    const split = (count: number) => ({
      x: Float32Array.from({ length: count * SIZE }, () => r()),
      y: Int32Array.from({ length: count }, (_, i) => i % 2),
      files: [],
      count,
    });
    const counts: number[] = [];
    const result = await fit(e, split(n), split(6), {
      epochs: 4,
      batchSize: 8,
      shape: [H, H, 1],
      classWeights: [1, 2],
      augments: [],
      // keepBest copies weights, reduce-lr replaces the SGD rate tensor: both every epoch here
      callbacks: [
        callbacks.get('early_stopping').create({ monitor: 'val_loss', min_delta: 0, patience: 10, restore_best: true }, undefined),
        callbacks.get('reduce_lr_on_plateau').create({ monitor: 'train_loss', min_delta: 100, factor: 0.5, patience: 0, min_lr: 0 }, undefined),
      ],
      random: mulberry32(2),
      onEpoch: () => counts.push(tf.memory().numTensors),
    });
    expect(result.history).toHaveLength(4);
    expect(e.learningRate).toBeLessThan(0.1);
    expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[0]));
    await e.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('dropout is seeded: the same seed trains to the same losses, another seed to others', async () => {
    const model = spec(1, [{ type: 'dropout', rate: 0.5 }]);
    const { x, labels } = batch(8, 2);
    const targets = encodeLabels(labels, 1);
    const w = new Float32Array(8).fill(1);
    const losses = async (seed: number) => {
      const e = await engine({ model, seed });
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((await e.trainStep(x, targets, w)).loss);
      // inference has no dropout: two predictions agree
      expect(Array.from(await e.predict(x, 8))).toEqual(Array.from(await e.predict(x, 8)));
      await e.dispose();
      return out;
    };
    const a = await losses(1);
    expect(await losses(1)).toEqual(a);
    expect(await losses(2)).not.toEqual(a);
  });
});

describe('tfjs engine state (checkpoints)', () => {
  for (const [label, optimizer] of [['adam', ADAM], ['sgd with momentum', MOMENTUM], ['rmsprop', RMSPROP]] as const) {
    it(`a new engine given the weights and state continues bit for bit (${label}, dropout)`, async () => {
      const model = spec(1, [{ type: 'dropout', rate: 0.3 }]);
      const { x, labels } = batch(8, 2, 5);
      const targets = encodeLabels(labels, 1);
      const w = new Float32Array(8).fill(1);
      // 25 steps, the learning rate halved (as reduce-LR would), 3 more: in one engine, or in two.
      const upToCheckpoint = async (e: TrainingEngine) => {
        for (let i = 0; i < 25; i++) await e.trainStep(x, targets, w);
        e.learningRate = optimizer.lr / 2;
      };
      const whole = await engine({ optimizer, model, seed: 6 });
      await upToCheckpoint(whole);
      for (let i = 0; i < 3; i++) await whole.trainStep(x, targets, w);

      const first = await engine({ optimizer, model, seed: 6 });
      await upToCheckpoint(first);
      const [weights, state] = [first.getWeights(), await first.saveState()];
      await first.dispose();
      const second = await engine({ optimizer, model, seed: 99 });
      second.setWeights(weights);
      await second.loadState(state);
      for (let i = 0; i < 3; i++) await second.trainStep(x, targets, w);
      expect(maxDiff(second.getWeights(), whole.getWeights())).toBe(0);
      await Promise.all([whole.dispose(), second.dispose()]);
    });
  }
});

describe('engine choice', () => {
  it.skipIf(installed('@tensorflow/tfjs-node'))('train.backend tfjs-node, not installed: a clear error naming how to install it', async () => {
    const attempt = createEngine(trainConfig({ engine: 'tfjs', backend: 'tfjs-node' }), spec(), lossFor(1), ADAM);
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(createEngine(trainConfig({ engine: 'tfjs', backend: 'tfjs-node' }), spec(), lossFor(1), ADAM)).rejects.toThrow(
      /train\.backend is tfjs-node, but @tensorflow\/tfjs-node is not installed: npm install @tensorflow\/tfjs-node/,
    );
  });

  it.skipIf(installed('@tensorflow/tfjs-node-gpu'))('train.backend tfjs-node-gpu, not installed: the same kind of error', async () => {
    await expect(createEngine(trainConfig({ engine: 'auto', backend: 'tfjs-node-gpu' }), spec(), lossFor(1), ADAM)).rejects.toThrow(
      /@tensorflow\/tfjs-node-gpu is not installed: npm install @tensorflow\/tfjs-node-gpu/,
    );
  });

  it.skipIf(installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node'))('auto without native tfjs: the onnx engine when it has the optimizer, tfjs on WebAssembly otherwise', async () => {
    const onnx = await createEngine(trainConfig({ engine: 'auto', backend: 'auto' }), spec(), lossFor(1), ADAM);
    expect(onnx.engine.name).toBe('onnx');
    await onnx.engine.dispose();
    const tfjs = await createEngine(trainConfig({ engine: 'auto', backend: 'auto' }), spec(), lossFor(1), RMSPROP);
    expect([tfjs.engine.name, tfjs.engine.backend]).toEqual(['tfjs', 'wasm']);
    expect(tfjs.reason).toMatch(/no rmsprop optimizer/);
    await tfjs.engine.dispose();
    await expect(createEngine(trainConfig({ engine: 'onnx' }), spec(), lossFor(1), RMSPROP)).rejects.toThrow(/train\.engine onnx has no 'rmsprop' optimizer/);
  });
});

describe('tfjs and onnx engines agree', () => {
  for (const [units, backend] of [[1, 'cpu'], [3, 'cpu'], [1, 'wasm'], [3, 'wasm']] as const) {
    it(`same seed, same initial weights; one step on one batch, the same loss, outputs and weights (${units === 1 ? 'sigmoid' : 'softmax over 3'}, tfjs on ${backend})`, async () => {
      const [t, o] = [await engine({ engine: 'tfjs', backend, units, optimizer: SGD, seed: 9 }), await engine({ engine: 'onnx', units, optimizer: SGD, seed: 9 })];
      expect(t.backend).toBe(backend);
      expect([t.name, o.name]).toEqual(['tfjs', 'onnx']);
      expect(maxDiff(t.getWeights(), o.getWeights())).toBe(0);
      const { x, labels } = batch(8, units === 1 ? 2 : 3);
      const targets = encodeLabels(labels, units);
      const w = Float32Array.from(labels, (l) => [0.7, 1.6, 1][l]!);
      const [a, b] = [await t.trainStep(x, targets, w), await o.trainStep(x, targets, w)];
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      expect(a.loss).toBeGreaterThan(0.1);
      expect(maxDiff([a.outputs], [b.outputs])).toBeLessThan(1e-5);
      expect(maxDiff(t.getWeights(), o.getWeights())).toBeLessThan(1e-5);
      expect(maxDiff([await t.predict(x, 8)], [await o.predict(x, 8)])).toBeLessThan(1e-5);
      await Promise.all([t.dispose(), o.dispose()]);
    });
  }

  it('with adam, two steps give the same losses (tfjs on WebAssembly)', async () => {
    const [t, o] = [await engine({ engine: 'tfjs', backend: 'wasm', seed: 4 }), await engine({ engine: 'onnx', seed: 4 })];
    const { x, labels } = batch(8, 2, 8);
    const targets = encodeLabels(labels, 1);
    const w = new Float32Array(8).fill(1);
    for (let i = 0; i < 2; i++) {
      const [a, b] = [await t.trainStep(x, targets, w), await o.trainStep(x, targets, w)];
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4);
    }
    await Promise.all([t.dispose(), o.dispose()]);
  });

  it('the onnx engine takes a learning rate set on it', async () => {
    const o = await engine({ engine: 'onnx', optimizer: SGD });
    const { x, labels } = batch(8, 2);
    const before = o.getWeights();
    o.learningRate = 0;
    expect(o.learningRate).toBe(0);
    await o.trainStep(x, encodeLabels(labels, 1), new Float32Array(8).fill(1));
    expect(maxDiff(before, o.getWeights())).toBe(0);
    await o.dispose();
  });
});
