import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/config/schema.js';
import { mulberry32 } from '../../src/data/rng.js';
import type { LossSpec } from '../../src/engine/loss.js';
import { createEngine } from '../../src/engine/select.js';
import { chain, type ModelSpec } from '../../src/model/spec.js';
import { createLoss } from '../../src/registry/losses/index.js';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { encodeLabels } from '../../src/model/head.js';

// Label smoothing and focal loss on both engines: the loss against tfjs's own label-smoothed losses
// (tf.losses.*CrossEntropy) and against focal loss computed by hand; the onnx lowering's gradient
// against tfjs's autodiff of the same loss (one SGD step, the same weights).
const H = 8;
const spec = (units: number): ModelSpec => chain([H, H, 1], [
    { type: 'conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true },
    { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' },
    { type: 'flatten' },
    { type: 'dense', units, activation: units === 1 ? 'sigmoid' : 'softmax', useBias: true },
]);

function batch(n: number, classes: number) {
  const r = mulberry32(11);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  const x = Float32Array.from({ length: n * H * H }, (_, k) => Math.min(1, r() * 0.6 + labels[Math.floor(k / (H * H))]! * 0.2));
  return { labels, x, w: Float32Array.from(labels, (l) => [0.6, 1.7, 1.1][l]!) };
}

async function engine(name: 'tfjs' | 'onnx', units: number, loss: LossSpec) {
  const train: Experiment['train'] = { epochs: 1, batch_size: 8, seed: 3, optimizer: { name: 'sgd' }, schedule: { name: 'constant' }, callbacks: [], engine: name, backend: 'cpu', replicas: 1 };
  return (await createEngine(train, spec(units), loss, createOptimizer({ name: 'sgd', lr: 0.5 }))).engine;
}

/** mean_i(w_i * loss_i) from per-sample losses. */
const weightedMean = (perSample: ArrayLike<number>, w: Float32Array): number => Array.from(perSample).reduce((s, l, i) => s + l * w[i]!, 0) / w.length;

/** tfjs's label-smoothed losses on the logits behind the engine's outputs, per sample. */
function tfjsReference(outputs: Float32Array, labels: number[], units: number, smoothing: number): Float32Array {
  return tf.tidy(() => {
    const n = labels.length;
    const p = tf.tensor2d(outputs, [n, units]);
    const y = tf.tensor2d(encodeLabels(labels, units), [n, units]);
    const none = tf.Reduction.NONE;
    const l = units === 1 ? tf.losses.sigmoidCrossEntropy(y, tf.log(tf.div(p, tf.sub(1, p))), undefined, smoothing, none) : tf.losses.softmaxCrossEntropy(y, tf.log(p), undefined, smoothing, none);
    return l.reshape([n]).dataSync() as Float32Array;
  });
}

/** Keras's BinaryFocalCrossentropy, written out per sample (one sigmoid unit). */
function focalByHand(outputs: Float32Array, labels: number[], gamma: number, alpha: number | undefined, smoothing: number): number[] {
  return labels.map((label, i) => {
    const t = label * (1 - smoothing) + smoothing / 2;
    const p = outputs[i]!;
    const bce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
    const pt = t * p + (1 - t) * (1 - p);
    const a = alpha === undefined ? 1 : t * alpha + (1 - t) * (1 - alpha);
    return a * (1 - pt) ** gamma * bce;
  });
}

/** Keras's CategoricalFocalCrossentropy, written out per sample (softmax rows). */
function categoricalFocalByHand(outputs: Float32Array, labels: number[], units: number, gamma: number, alpha: number, smoothing: number): number[] {
  return labels.map((label, i) => {
    let sum = 0;
    for (let k = 0; k < units; k++) {
      const t = (k === label ? 1 : 0) * (1 - smoothing) + smoothing / units;
      const p = outputs[i * units + k]!;
      sum += -alpha * t * (1 - p) ** gamma * Math.log(p);
    }
    return sum;
  });
}

const maxDiff = (a: Float32Array[], b: Float32Array[]): number => Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i]![j]!)))));

const CASES: { label: string; units: number; loss: LossSpec; reference: (outputs: Float32Array, labels: number[]) => number[] | Float32Array }[] = [
  { label: 'binary cross-entropy, label_smoothing 0.2', units: 1, loss: createLoss({ name: 'binary_crossentropy', label_smoothing: 0.2 }, 2), reference: (o, l) => tfjsReference(o, l, 1, 0.2) },
  { label: 'categorical cross-entropy over 3, label_smoothing 0.3', units: 3, loss: createLoss({ name: 'categorical_crossentropy', label_smoothing: 0.3 }, 3), reference: (o, l) => tfjsReference(o, l, 3, 0.3) },
  { label: 'focal, gamma 2', units: 1, loss: createLoss({ name: 'focal' }, 2), reference: (o, l) => focalByHand(o, l, 2, undefined, 0) },
  { label: 'categorical focal over 3, gamma 2', units: 3, loss: createLoss({ name: 'categorical_focal' }, 3), reference: (o, l) => categoricalFocalByHand(o, l, 3, 2, 1, 0) },
  { label: 'categorical focal over 3, gamma 1.5, alpha 0.25, label_smoothing 0.1', units: 3, loss: createLoss({ name: 'categorical_focal', gamma: 1.5, alpha: 0.25, label_smoothing: 0.1 }, 3), reference: (o, l) => categoricalFocalByHand(o, l, 3, 1.5, 0.25, 0.1) },
  { label: 'focal, gamma 1.5, alpha 0.25, label_smoothing 0.1', units: 1, loss: createLoss({ name: 'focal', gamma: 1.5, alpha: 0.25, label_smoothing: 0.1 }, 2), reference: (o, l) => focalByHand(o, l, 1.5, 0.25, 0.1) },
];

describe('loss options on both engines', () => {
  for (const c of CASES) {
    it(`${c.label}: the loss equals the reference on both engines, and one step gives the same weights`, async () => {
      const [t, o] = [await engine('tfjs', c.units, c.loss), await engine('onnx', c.units, c.loss)];
      const { labels, x, w } = batch(8, c.units === 1 ? 2 : 3);
      const targets = encodeLabels(labels, c.units);
      for (let step = 0; step < 2; step++) {
        const [a, b] = [await t.trainStep(x, targets, w), await o.trainStep(x, targets, w)];
        expect(a.loss).toBeCloseTo(weightedMean(c.reference(a.outputs, labels), w), 5);
        expect(b.loss).toBeCloseTo(weightedMean(c.reference(b.outputs, labels), w), 5);
        // The onnx lowering's hand-written gradient against tfjs's autodiff of the same loss.
        expect(maxDiff(t.getWeights(), o.getWeights()), `weights after step ${step + 1}`).toBeLessThan(1e-5);
      }
      await Promise.all([t.dispose(), o.dispose()]);
    });
  }

  it('label smoothing and focal change the loss (the options are not ignored)', async () => {
    const { labels, x, w } = batch(8, 2);
    const losses = [];
    for (const loss of [createLoss(undefined, 2), createLoss({ name: 'binary_crossentropy', label_smoothing: 0.2 }, 2), createLoss({ name: 'focal' }, 2)]) {
      const e = await engine('onnx', 1, loss);
      losses.push((await e.trainStep(x, encodeLabels(labels, 1), w)).loss);
      await e.dispose();
    }
    expect(new Set(losses.map((l) => l.toFixed(5))).size).toBe(3);
    // Focal loss is below cross-entropy: every image's factor (1 - p_t)^2 is under 1.
    expect(losses[2]).toBeLessThan(losses[0]!);
  });
});
