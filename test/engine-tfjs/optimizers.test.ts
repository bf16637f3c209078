import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/config/schema.js';
import { mulberry32 } from '../../src/data/rng.js';
import type { TrainingEngine } from '../../src/engine/engine.js';
import { createEngine } from '../../src/engine/select.js';
import { chain, type ModelSpec } from '../../src/model/spec.js';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { encodeLabels } from '../../src/model/head.js';

// The new optimizer options on both engines: one step agrees, and a checkpoint continues exactly.
const H = 8;
const spec: ModelSpec = chain([H, H, 1], [
    { type: 'conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true },
    { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' },
    { type: 'flatten' },
    { type: 'dense', units: 1, activation: 'sigmoid', useBias: true },
]);

function batch(n: number, seed: number) {
  const r = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const x = Float32Array.from({ length: n * H * H }, (_, k) => Math.min(1, r() * 0.5 + labels[Math.floor(k / (H * H))]! * 0.25));
  return { x, targets: encodeLabels(labels, 1), w: Float32Array.from(labels, (l) => (l ? 1.5 : 0.8)) };
}

async function engine(name: 'tfjs' | 'onnx', optimizer: { name: string } & Record<string, unknown>, clip?: number, seed = 5): Promise<TrainingEngine> {
  const train: Experiment['train'] = { epochs: 1, batch_size: 8, seed, optimizer, schedule: { name: 'constant' }, callbacks: [], engine: name, backend: 'cpu', replicas: 1, ...(clip ? { clip_norm: clip } : {}) };
  return (await createEngine(train, spec, { name: 'binary_crossentropy', label_smoothing: 0 }, createOptimizer(optimizer))).engine;
}

const maxDiff = (a: Float32Array[], b: Float32Array[]): number => Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i]![j]!)))));

const CASES: [string, { name: string } & Record<string, unknown>, number | undefined][] = [
  ['adamw', { name: 'adamw', lr: 0.01, weight_decay: 0.5 }, undefined],
  ['adam with weight_decay', { name: 'adam', lr: 0.01, weight_decay: 0.3 }, undefined],
  ['sgd nesterov with weight_decay', { name: 'sgd', lr: 0.2, momentum: 0.9, nesterov: true, weight_decay: 0.1 }, undefined],
  ['sgd clipped to norm 0.01', { name: 'sgd', lr: 0.5 }, 0.01],
];

describe('onnx and tfjs agree on the new optimizer options', () => {
  for (const [label, optimizer, clip] of CASES) {
    it(`${label}: three steps, the same weights`, async () => {
      const [t, o] = [await engine('tfjs', optimizer, clip), await engine('onnx', optimizer, clip)];
      const start = t.getWeights();
      const { x, targets, w } = batch(8, 3);
      for (let i = 0; i < 3; i++) {
        const [a, b] = [await t.trainStep(x, targets, w), await o.trainStep(x, targets, w)];
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      }
      expect(maxDiff(t.getWeights(), o.getWeights())).toBeLessThan(1e-5);
      // The option changed something: without it the weights differ.
      const plain = await engine('onnx', { name: optimizer.name, lr: optimizer.lr, ...(optimizer.name === 'adamw' ? { weight_decay: 0 } : {}) });
      for (let i = 0; i < 3; i++) await plain.trainStep(x, targets, w);
      expect(maxDiff(plain.getWeights(), o.getWeights())).toBeGreaterThan(1e-4);
      if (clip) {
        // One clipped SGD step moves the weights by at most lr * clip_norm in L2.
        const moved = Math.sqrt(t.getWeights().reduce((s, wt, i) => s + wt.reduce((q, v, j) => q + (v - start[i]![j]!) ** 2, 0), 0));
        expect(moved).toBeLessThanOrEqual(3 * 0.5 * 0.01 * 1.0001);
      }
      await Promise.all([t.dispose(), o.dispose(), plain.dispose()]);
    });
  }
});

describe('a checkpoint of the new optimizers continues exactly', () => {
  for (const name of ['tfjs', 'onnx'] as const) {
    it(`${name}: adamw with clip_norm, saved after 4 steps and loaded into a new engine`, async () => {
      const optimizer = { name: 'adamw', lr: 0.02, weight_decay: 0.2 };
      const { x, targets, w } = batch(8, 4);
      const whole = await engine(name, optimizer, 0.5);
      for (let i = 0; i < 7; i++) await whole.trainStep(x, targets, w);
      const first = await engine(name, optimizer, 0.5);
      for (let i = 0; i < 4; i++) await first.trainStep(x, targets, w);
      const [weights, state] = [first.getWeights(), await first.saveState()];
      await first.dispose();
      const second = await engine(name, optimizer, 0.5, 77);
      second.setWeights(weights);
      await second.loadState(state);
      for (let i = 0; i < 3; i++) await second.trainStep(x, targets, w);
      expect(maxDiff(second.getWeights(), whole.getWeights())).toBe(0);
      await Promise.all([whole.dispose(), second.dispose()]);
    });
  }
});
