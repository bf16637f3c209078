import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import { chain, type ModelSpec } from '../../src/model/spec.js';
import { compileTrainer } from '../../src/engine/onnx/trainer.js';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { randomArray, relErr, tfjsModel } from './tfjs-reference.js';

const spec: ModelSpec = chain([12, 10, 2], [
    { type: 'conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true },
    { type: 'batchnorm', momentum: 0.9, epsilon: 1e-3 },
    { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' },
    { type: 'flatten' },
    { type: 'dense', units: 3, activation: 'softmax', useBias: true },
]);
const CCE = { name: 'categorical_crossentropy', label_smoothing: 0 } as const;
const [h, w, c] = spec.inputShape;
const image = h * w * c;

function data(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const random = mulberry32(seed);
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + (i % 3)] = 1;
  return { x: randomArray(n * image, random), y };
}

describe('trainer', () => {
  it('trains a last partial batch exactly like tfjs fit (own batch statistics and loss mean)', async () => {
    const { x, y } = data(6, 1);
    const { model } = tfjsModel(spec);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const trainer = await compileTrainer(spec, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!() });
    trainer.setWeights(model.getWeights().map((t) => t.dataSync() as Float32Array));
    await model.fit(tf.tensor(x, [6, h, w, c]), tf.tensor(y, [6, 3]), { batchSize: 4, epochs: 1, shuffle: false, verbose: 0 });
    await trainer.trainStep(x.subarray(0, 4 * image), y.subarray(0, 12));
    await trainer.trainStep(x.subarray(4 * image), y.subarray(12));
    const got = trainer.getWeights();
    model.getWeights().forEach((t, i) => expect(relErr(got[i]!, t.dataSync()), `weight ${i}`).toBeLessThan(1e-4));
    await trainer.dispose();
  });

  it('exports a self-contained NHWC inference model with a dynamic batch', async () => {
    const trainer = await compileTrainer(spec, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9 }).arrays!(), seed: 3 });
    const train = data(4, 2);
    await trainer.trainStep(train.x, train.y);
    const session = await ort.InferenceSession.create(trainer.exportInferenceModel());
    expect(session.inputNames).toEqual(['x']);
    for (const n of [1, 5]) {
      const { x } = data(n, 10 + n);
      const out = await session.run({ x: new ort.Tensor('float32', x, [n, h, w, c]) });
      const probs = out['predictions']?.data;
      if (!(probs instanceof Float32Array)) throw new Error('no predictions');
      expect(relErr(probs, await trainer.predict(x, n))).toBeLessThan(1e-6);
      // Rows are probability distributions.
      for (let i = 0; i < n; i++) expect(probs[i * 3]! + probs[i * 3 + 1]! + probs[i * 3 + 2]!).toBeCloseTo(1, 5);
    }
    await session.release();
    await trainer.dispose();
  });

  it('sets the learning rate, and lr 0 leaves weights unchanged', async () => {
    const trainer = await compileTrainer(spec, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!() });
    trainer.setLearningRate(0);
    expect(trainer.getLearningRate()).toBe(0);
    const before = trainer.getWeights();
    const { x, y } = data(4, 4);
    await trainer.trainStep(x, y);
    // Trainable weights stay put; batch-norm moving statistics still update (trainable ones come first).
    const after = trainer.getWeights();
    before.slice(0, 6).forEach((b, i) => expect(after[i]).toEqual(b));
    expect(after[6]).not.toEqual(before[6]);
    await trainer.dispose();
  });

  it('dropout masks are seeded: same seed, same losses; inference ignores dropout', async () => {
    const layers = spec.nodes.map((n) => n.layer);
    const withDropout = chain(spec.inputShape, [...layers.slice(0, 4), { type: 'dropout', rate: 0.5 }, layers[4]!]);
    const run = async (seed: number): Promise<number[]> => {
      const trainer = await compileTrainer(withDropout, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!(), seed });
      const { x, y } = data(4, 5);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) losses.push((await trainer.trainStep(x, y)).loss);
      await trainer.dispose();
      return losses;
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));

    const plain = await compileTrainer(spec, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!(), seed: 1 });
    const dropped = await compileTrainer(withDropout, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!(), seed: 1 });
    dropped.setWeights(plain.getWeights());
    const { x } = data(3, 6);
    expect(await dropped.predict(x, 3)).toEqual(await plain.predict(x, 3));
    await plain.dispose();
    await dropped.dispose();
  });

  it('rejects mismatched shapes and unsupported heads', async () => {
    const trainer = await compileTrainer(spec, { batchSize: 4, loss: CCE, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!() });
    await expect(trainer.trainStep(new Float32Array(image * 2), new Float32Array(3))).rejects.toThrow(/sizes/);
    expect(() => trainer.setWeights([new Float32Array(1)])).toThrow(/expected/);
    await trainer.dispose();
    await expect(compileTrainer(spec, { batchSize: 4, loss: { name: 'binary_crossentropy', label_smoothing: 0 }, optimizer: createOptimizer({ name: 'adam', lr: 0.01 }).arrays!() }).then((t) => t.trainStep(new Float32Array(image), new Float32Array(3)))).rejects.toThrow(/sigmoid/);
  });
});
