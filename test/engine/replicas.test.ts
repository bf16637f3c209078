import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import { chain, type LayerSpec, type ModelSpec } from '../../src/model/spec.js';
import { compileTrainer, type Trainer } from '../../src/engine/onnx/trainer.js';
import { ReplicaPool, shareSizes } from '../../src/engine/onnx/replicas.js';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { randomArray, relErr } from './tfjs-reference.js';

const conv: LayerSpec = { type: 'conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true };
const head: LayerSpec[] = [{ type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' }, { type: 'flatten' }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: 3, activation: 'softmax', useBias: true }];
const plain: ModelSpec = chain([12, 10, 2], [conv, ...head]);
const normed: ModelSpec = chain([12, 10, 2], [conv, { type: 'batchnorm', momentum: 0.9, epsilon: 1e-3 }, ...head]);
const CCE = { name: 'categorical_crossentropy', label_smoothing: 0 } as const;
const image = 12 * 10 * 2;

function data(n: number, seed: number): { x: Float32Array; y: Float32Array; sw: Float32Array } {
  const random = mulberry32(seed);
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + (i % 3)] = 1;
  return { x: randomArray(n * image, random), y, sw: Float32Array.from({ length: n }, (_, i) => 0.5 + (i % 4) * 0.25) };
}

const trainer = (spec: ModelSpec, replicas: number, optimizer: 'adam' | 'sgd' = 'adam'): Promise<Trainer> =>
  compileTrainer(spec, { batchSize: 5, loss: CCE, optimizer: createOptimizer({ name: optimizer, lr: 0.05 }).arrays!(), seed: 9, replicas });

describe('replicas (train.replicas: data-parallel steps on worker threads)', () => {
  it('splits a batch into contiguous shares, the first ones larger', () => {
    expect(shareSizes(5, 2)).toEqual([3, 2]);
    expect(shareSizes(32, 3)).toEqual([11, 11, 10]);
    expect(shareSizes(1, 4)).toEqual([1]);
  });

  it('without batch norm trains exactly as one session: losses, predictions, weights and dropout draws', async () => {
    const one = await trainer(plain, 1);
    const many = await trainer(plain, 3);
    // Batches of 5 (shares 2+2+1 across three threads), then a last batch of 1 (one share).
    for (const [n, seed] of [[5, 1], [5, 2], [5, 3], [1, 4]] as const) {
      const { x, y, sw } = data(n, seed);
      const a = await one.trainStep(x, y, sw);
      const b = await many.trainStep(x, y, sw);
      expect(Math.abs(a.loss - b.loss), `loss, batch ${seed}`).toBeLessThan(1e-5);
      expect(relErr(b.predictions, a.predictions), `predictions, batch ${seed}`).toBeLessThan(1e-5);
    }
    const want = one.getWeights();
    many.getWeights().forEach((wt, i) => expect(relErr(wt, want[i]!), `weight ${i}`).toBeLessThan(1e-4));
    const { x } = data(7, 5);
    expect(relErr(await many.predict(x, 7), await one.predict(x, 7))).toBeLessThan(1e-5);
    expect(many.getState().random).toBe(one.getState().random);
    await one.dispose();
    await many.dispose();
  });

  it('with batch norm each share uses its own batch statistics; the step averages the shares by size', async () => {
    // SGD: the combined step w - lr * (3 g_a + 2 g_b) / 5 is the size-weighted mean of one step on each share;
    // the moving statistics average the same way. Dropout off (a fresh draw per trainer would differ).
    const spec = chain([12, 10, 2], normed.nodes.map((n) => n.layer).filter((l) => l.type !== 'dropout'));
    const both = await trainer(spec, 2, 'sgd');
    const start = both.getWeights();
    const { x, y, sw } = data(5, 6);
    await both.trainStep(x, y, sw);
    const shares = await Promise.all(
      [[0, 3], [3, 5]].map(async ([from, to]) => {
        const t = await trainer(spec, 1, 'sgd');
        t.setWeights(start);
        await t.trainStep(x.subarray(from! * image, to! * image), y.subarray(from! * 3, to! * 3), sw.subarray(from!, to!));
        const got = t.getWeights();
        await t.dispose();
        return got;
      }),
    );
    both.getWeights().forEach((wt, i) => {
      const mean = wt.map((_, j) => (3 * shares[0]![i]![j]! + 2 * shares[1]![i]![j]!) / 5);
      expect(relErr(wt, mean), `weight ${i}`).toBeLessThan(1e-5);
    });
    // And that is not the whole batch's statistics: one session over all 5 gives other weights.
    const whole = await trainer(spec, 1, 'sgd');
    whole.setWeights(start);
    await whole.trainStep(x, y, sw);
    expect(relErr(both.getWeights()[0]!, whole.getWeights()[0]!)).toBeGreaterThan(1e-4);
    await whole.dispose();
    await both.dispose();
  });

  it("a replica's failure rejects the step with ONNX Runtime's message", async () => {
    const pool = new ReplicaPool(2, { weights: [], sessionOptions: {} });
    const run = { graph: () => ({ key: 'bad', model: new Uint8Array([1, 2, 3]) }), batchFeeds: { x: { data: new Float32Array(4), dims: [4, 1] } }, batchOutputs: [], outputs: ['y'] };
    await expect(pool.run(4, run)).rejects.toThrow(/protobuf|parse|load/i);
    await pool.dispose();
    await expect(pool.run(4, run)).rejects.toThrow(/disposed/);
  });

  it('freezes layers, and refuses steps once disposed', async () => {
    const t = await trainer(normed, 2);
    const { x, y } = data(5, 7);
    await t.trainStep(x, y);
    const before = t.getWeights();
    t.freeze(new Set([0, 1]), createOptimizer({ name: 'adam', lr: 0.05 }).arrays!());
    await t.trainStep(x, y);
    const after = t.getWeights();
    // The conv's kernel and bias and the batch norm's four arrays stay; the dense layer moves.
    for (const i of [0, 1, 2, 3, 6, 7]) expect(after[i], `weight ${i}`).toEqual(before[i]);
    expect(after[4]).not.toEqual(before[4]);
    await t.dispose();
    await expect(t.trainStep(x, y)).rejects.toThrow(/disposed/);
  });
});
