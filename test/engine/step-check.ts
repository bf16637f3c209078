// One or two training steps of the ONNX engine against tfjs's fit from the same weights.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { compileTrainer } from '../../src/engine/onnx/trainer.js';
import { describeParams } from '../../src/engine/onnx/build.js';
import { readWeights, writeWeights } from '../../src/engine/tfjs/build.js';
import { mulberry32 } from '../../src/data/rng.js';
import type { OptimizerSpec } from '../../src/registry/optimizers/index.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { randomArray, relErr, tfjsModel } from './tfjs-reference.js';

export interface StepCase { name: string; spec: ModelSpec; loss: 'binary_crossentropy' | 'categorical_crossentropy'; optimizer: OptimizerSpec; n: number }

function labels(n: number, units: number, random: () => number): Float32Array {
  const y = new Float32Array(n * units);
  for (let i = 0; i < n; i++) {
    if (units === 1) y[i] = random() < 0.5 ? 0 : 1;
    else y[i * units + Math.floor(random() * units)] = 1;
  }
  return y;
}

function classIndex(y: Float32Array, units: number, i: number): number {
  if (units === 1) return y[i]!;
  return Array.from(y.subarray(i * units, (i + 1) * units)).indexOf(1);
}

const sub = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, i) => v - b[i]!);

export interface StepOptions {
  /** Also compare each weight's change, to this relative error: a wrong small gradient can hide in a large weight. */
  deltaTol?: number;
  /**
   * Scales the head's initial kernel: deep untrained networks give large logits, where tfjs's
   * float32 sigmoid-then-log gradient loses ~1e-3 of precision (1 - p rounds) and ours does not.
   */
  headScale?: number;
  /**
   * RMS difference per element that passes whatever the relative error: a weight whose true gradient
   * is zero by construction (a batch norm's beta before a 1x1 convolution and another batch norm)
   * moves by float noise (~1e-9) in both engines.
   */
  noise?: number;
  /** Relative error of the loss (default 1e-4); deep float32 networks (mobilenetv2's 50 layers) reach ~1.5e-4. */
  lossTol?: number;
  /** Steps compared (default 2, so optimizer state is exercised too). */
  steps?: number;
}

/** Predictions, then training steps: loss and weights within float32 tolerance of tfjs. */
export async function checkStep(c: StepCase, { deltaTol, headScale, noise = 0, lossTol = 1e-4, steps = 2 }: StepOptions = {}): Promise<void> {
  const err = (got: Float32Array, ref: Float32Array): number => {
    const rms = Math.sqrt(got.reduce((sum, v, i) => sum + (v - ref[i]!) ** 2, 0) / got.length);
    return rms <= noise ? 0 : relErr(got, ref);
  };
  const random = mulberry32(7);
  const [h, w, ch] = c.spec.inputShape;
  const built = tfjsModel(c.spec);
  const { model } = built;
  const units = model.outputs[0]!.shape[1]!;
  const x = randomArray(c.n * h * w * ch, random);
  const y = labels(c.n, units, random);
  const classWeight: Record<number, number> = units === 1 ? { 0: 0.7, 1: 1.9 } : { 0: 1, 1: 0.5, 2: 2 };
  const sw = Float32Array.from({ length: c.n }, (_, i) => classWeight[classIndex(y, units, i)]!);

  const trainer = await compileTrainer(c.spec, { batchSize: c.n, loss: { name: c.loss, label_smoothing: 0 }, optimizer: c.optimizer.arrays!(), seed: 1 });
  const initial = readWeights(built);
  if (headScale !== undefined) {
    const head = describeParams(c.spec).findLastIndex((p) => p.trainable && p.shape.length === 2);
    initial[head] = initial[head]!.map((v) => v * headScale);
    writeWeights(built, initial);
  }
  trainer.setWeights(initial);

  model.compile({ optimizer: c.optimizer.tfjs(tf).optimizer, loss: c.loss === 'binary_crossentropy' ? 'binaryCrossentropy' : 'categoricalCrossentropy' });
  const xs = tf.tensor(x, [c.n, h, w, ch]);
  const ys = tf.tensor(y, [c.n, units]);
  const predicted = model.predict(xs) as tf.Tensor;
  const inferRef = predicted.dataSync();
  expect(relErr(await trainer.predict(x, c.n), inferRef)).toBeLessThan(1e-5);

  for (let step = 0; step < steps; step++) {
    const history = await model.fit(xs, ys, { batchSize: c.n, epochs: 1, shuffle: false, classWeight, verbose: 0 });
    const refLoss = history.history['loss']![0] as number;
    const res = await trainer.trainStep(x, y, sw);
    // float32 losses of the same maths summed in another order differ by up to ~2e-5 relative.
    expect(Math.abs(res.loss - refLoss) / Math.abs(refLoss), `loss of step ${step + 1}`).toBeLessThan(lossTol);
    const ref = readWeights(built);
    const got = trainer.getWeights();
    ref.forEach((r, i) => expect(err(got[i]!, r), `weight ${i} after step ${step + 1}`).toBeLessThan(1e-4));
    if (deltaTol !== undefined) ref.forEach((r, i) => expect(err(sub(got[i]!, initial[i]!), sub(r, initial[i]!)), `change of weight ${i} after step ${step + 1}`).toBeLessThan(deltaTol));
  }
  // Inference after training: batch norm now runs on the updated moving statistics.
  const after = (model.predict(xs) as tf.Tensor).dataSync();
  expect(relErr(await trainer.predict(x, c.n), after)).toBeLessThan(1e-4);
  await trainer.dispose();
  model.dispose();
}
