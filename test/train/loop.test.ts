import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/config/ajv.js';
import { IssueCollector } from '../../src/config/collector.js';
import { mulberry32 } from '../../src/data/rng.js';
import type { Augment } from '../../src/registry/augmentations/index.js';
import { callbacks, type Callback } from '../../src/registry/callbacks/index.js';
import { fit, predictSplit, type FitOptions } from '../../src/train/loop.js';
import { meanCrossEntropy } from '../../src/train/targets.js';
import { FakeEngine, SHAPE, split } from './fake-engine.js';

function callback(name: string, params: Record<string, unknown>): Callback {
  const component = callbacks.get(name);
  const issues = new IssueCollector([]);
  if (!checkSchema(component.params, params, [name], issues)) throw new Error(issues.issues.map((i) => i.message).join('; '));
  return component.create(params, undefined);
}

const options = (o: Partial<FitOptions> = {}): FitOptions => ({
  epochs: 3,
  batchSize: 4,
  shape: SHAPE,
  classWeights: [1, 1],
  augments: [],
  callbacks: [],
  random: mulberry32(1),
  ...o,
});

// 10 training images: 7 of class 0, 3 of class 1; 4 validation images.
const TRAIN = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
const VAL = [0, 1, 0, 1];

describe('fit', () => {
  it('freezes before the first step, unfreezes once after unfreeze_after, and a resume freezes as the checkpoint trained', async () => {
    const freeze = { nodes: new Set([0]), unfreezeAfter: 1 };
    const whole = new FakeEngine(1, 3, () => 0.9);
    const checkpoints: Parameters<NonNullable<FitOptions['onCheckpoint']>>[0][] = [];
    await fit(whole, split(TRAIN), split(VAL), options({ freeze, onCheckpoint: async (c) => void checkpoints.push(c) }));
    expect(whole.frozen).toEqual([[0], []]);
    // Continued after epoch 1 (still frozen there): frozen first, so the optimizer state restored is that epoch's, then unfrozen.
    const resumed = new FakeEngine(1, 3, () => 0.9);
    await fit(resumed, split(TRAIN), split(VAL), options({ freeze, resume: checkpoints[0]! }));
    expect(resumed.frozen).toEqual([[0], []]);
    // Continued after epoch 2: already unfrozen, nothing to do.
    const late = new FakeEngine(1, 3, () => 0.9);
    await fit(late, split(TRAIN), split(VAL), options({ freeze, resume: checkpoints[1]! }));
    expect(late.frozen).toEqual([]);
    // Without freeze, engines are never asked.
    const plain = new FakeEngine(1, 3, () => 0.9);
    await fit(plain, split(TRAIN), split(VAL), options());
    expect(plain.frozen).toEqual([]);
  });

  it('applies the class weight of each sample, with targets in the head format', async () => {
    const engine = new FakeEngine(1, 3, () => 0.9);
    const train = split(TRAIN);
    await fit(engine, train, split(VAL), options({ epochs: 2, classWeights: [0.5, 2] }));
    expect(engine.steps).toHaveLength(6);
    expect(engine.steps.map((s) => s.sampleWeights.length)).toEqual([4, 4, 2, 4, 4, 2]);
    for (const s of engine.steps) {
      for (let i = 0; i < s.sampleWeights.length; i++) {
        const label = s.x[i * 4]!;
        expect(s.targets[i]).toBe(label);
        expect(s.sampleWeights[i]).toBe(label === 1 ? 2 : 0.5);
      }
    }
  });

  it('one-hot targets and per-sample weights for three classes', async () => {
    const engine = new FakeEngine(3, 2, () => 0.8);
    await fit(engine, split([0, 1, 2, 2, 1, 0, 2]), split([0, 1, 2]), options({ epochs: 1, classWeights: [1, 2, 3] }));
    const seen: number[] = [];
    for (const s of engine.steps) {
      for (let i = 0; i < s.sampleWeights.length; i++) {
        const label = s.x[i * 4]!;
        seen.push(label);
        expect(Array.from(s.targets.subarray(i * 3, i * 3 + 3))).toEqual([0, 1, 2].map((k) => (k === label ? 1 : 0)));
        expect(s.sampleWeights[i]).toBe(label + 1);
      }
    }
    expect(seen.sort()).toEqual([0, 0, 1, 1, 2, 2, 2]);
  });

  it('logs: train loss is the per-sample mean of batch losses; val loss and accuracy come from the predictions', async () => {
    const quality = [0, 0.6, 0.8, 0.3];
    const engine = new FakeEngine(1, 3, (e) => quality[e]!);
    const result = await fit(engine, split(TRAIN), split(VAL), options({ classWeights: [0.5, 2] }));
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    // every epoch sees every sample once: mean sample weight = (7 * 0.5 + 3 * 2) / 10
    for (const h of result.history) expect(h.train_loss).toBeCloseTo(0.95, 6);
    expect(result.history.map((h) => h.val_loss)).toEqual([0.6, 0.8, 0.3].map((q) => expect.closeTo(-Math.log(q), 6)));
    expect(result.history.map((h) => h.val_accuracy)).toEqual([1, 1, 0]);
    expect(result.keptEpoch).toBe(3);
    expect(result.stoppedEarly).toBeUndefined();
  });

  it('each epoch is a new seeded shuffle; the same seed gives the same batches, another seed others', async () => {
    const order = async (seed: number) => {
      const engine = new FakeEngine(1, 3, () => 0.9);
      await fit(engine, split(TRAIN.map((_, i) => i)), split(VAL), options({ epochs: 2, classWeights: Array(10).fill(1), random: mulberry32(seed) }));
      return engine.steps.map((s) => Array.from(s.x.filter((_, k) => k % 4 === 0)));
    };
    const a = await order(11);
    expect(a.flat().slice(0, 10).sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    expect(a.flat().slice(10)).not.toEqual(a.flat().slice(0, 10));
    expect(await order(11)).toEqual(a);
    expect(await order(12)).not.toEqual(a);
  });

  it('augments training batches only: the data set arrays and the validation inputs stay as loaded', async () => {
    const engine = new FakeEngine(1, 3, () => 0.9);
    const train = split(TRAIN);
    const val = split(VAL);
    const [trainBefore, valBefore] = [train.x.slice(), val.x.slice()];
    const plus: Augment = (image, random) => {
      const r = 10 + random();
      for (let i = 0; i < image.data.length; i++) image.data[i]! += r;
    };
    await fit(engine, train, val, options({ epochs: 2, augments: [plus] }));
    expect(Array.from(train.x)).toEqual(Array.from(trainBefore));
    expect(Array.from(val.x)).toEqual(Array.from(valBefore));
    for (const s of engine.steps) for (const v of s.x) expect(v).toBeGreaterThanOrEqual(10);
    // Fresh draws per image and per epoch: the 20 augmented images are all different.
    expect(new Set(engine.steps.flatMap((s) => Array.from(s.x.filter((_, k) => k % 4 === 0)))).size).toBe(20);
    expect(engine.predicted).toHaveLength(2);
    for (const p of engine.predicted) expect(Array.from(p)).toEqual(Array.from(valBefore));
  });

  it('early stopping restores the weights of the best epoch, and evaluation then matches that epoch', async () => {
    // val quality peaks at epoch 2, then falls: with patience 2, epochs 3 and 4 stop the run.
    const quality = [0, 0.6, 0.9, 0.7, 0.65, 0.95, 0.99];
    const engine = new FakeEngine(1, 3, (e) => quality[e]!);
    const val = split(VAL);
    const messages: string[] = [];
    const result = await fit(engine, split(TRAIN), val, options({ epochs: 6, callbacks: [callback('early_stopping', { patience: 2 })], log: (m) => messages.push(m) }));
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(result.stoppedEarly).toMatch(/val_loss did not improve for 2 epochs/);
    expect(result.keptEpoch).toBe(2);
    expect(engine.getWeights()[0]![0]).toBeCloseTo(2, 6);
    const after = meanCrossEntropy(await predictSplit(engine, val, 4), val.y, 1);
    expect(after).toBeCloseTo(result.history[1]!.val_loss, 10);
    expect(after).not.toBeCloseTo(result.history[3]!.val_loss, 3);
    expect(messages.join('\n')).toMatch(/restored the weights of epoch 2/);
  });

  it('early stopping without restore_best ends with the last weights', async () => {
    const quality = [0, 0.6, 0.9, 0.7, 0.65];
    const engine = new FakeEngine(1, 3, (e) => quality[e]!);
    const result = await fit(engine, split(TRAIN), split(VAL), options({ epochs: 4, callbacks: [callback('early_stopping', { patience: 2, restore_best: false })] }));
    expect(result.keptEpoch).toBe(4);
    expect(engine.getWeights()[0]![0]).toBeCloseTo(4, 6);
  });

  it('reduce_lr_on_plateau lowers the engine learning rate, which the next epochs train with', async () => {
    const quality = [0, 0.6, 0.6, 0.6, 0.6, 0.6];
    const engine = new FakeEngine(1, 3, (e) => quality[e]!);
    const result = await fit(engine, split(TRAIN), split(VAL), options({ epochs: 5, callbacks: [callback('reduce_lr_on_plateau', { patience: 1, factor: 0.5 })] }));
    // logs report the rate the epoch trained with; the callback lowers it at each flat epoch's end
    expect(result.history.map((h) => h.lr)).toEqual([0.1, 0.1, 0.05, 0.025, 0.0125]);
    expect(engine.learningRate).toBeCloseTo(0.00625, 12);
    expect(engine.steps.map((s) => s.lr)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125]);
  });
});

describe('learning-rate schedules in fit', () => {
  it('sets each step its rate, logs the last step of each epoch as lr, and reduce-on-plateau scales the schedule', async () => {
    const engine = new FakeEngine(1, 3, () => 0.9);
    // 10 images in batches of 4: 3 steps per epoch; the schedule is 1/(step+1).
    const schedule = (step: number) => 1 / (step + 1);
    // min_delta 10: every epoch after the first is a plateau, so from epoch 3 on the schedule is halved, then quartered.
    const result = await fit(engine, split(TRAIN), split(VAL), options({ epochs: 4, schedule, callbacks: [callback('reduce_lr_on_plateau', { patience: 1, factor: 0.5, min_delta: 10, min_lr: 0 })] }));
    const scale = [1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25];
    expect(engine.steps.map((s) => s.lr)).toEqual(scale.map((k, i) => expect.closeTo(k / (i + 1), 12)));
    expect(result.history.map((h) => h.lr)).toEqual([1 / 3, 1 / 6, 0.5 / 9, 0.25 / 12].map((v) => expect.closeTo(v, 12)));
  });
});
