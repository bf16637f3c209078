import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../../registry/optimizers/index.js';
import type { LossSpec } from '../../registry/losses/index.js';
import type { ModelSpec } from '../../model/spec.js';
import type { Rng } from '../../data/rng.js';
import { outputUnits, type TrainingEngine } from '../engine.js';
import type { LoadedBackend } from './backend.js';
import { buildTfModel, readWeights, writeWeights } from './build.js';

function optimizerFor(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.name) {
    case 'adam':
      return tf.train.adam(spec.lr, spec.beta1, spec.beta2, spec.epsilon);
    case 'sgd':
      return spec.momentum > 0 ? tf.train.momentum(spec.lr, spec.momentum, spec.nesterov) : tf.train.sgd(spec.lr);
    case 'rmsprop':
      return tf.train.rmsprop(spec.lr, spec.rho, spec.momentum, spec.epsilon);
  }
}

/**
 * Adam's running beta1^t and beta2^t. tfjs's setWeights recomputes them with pow(), which can
 * differ in the last bit from the products training accumulated; a resumed run restores them as they were.
 */
function adamPowers(optimizer: tf.Optimizer): { read(): Promise<number[]>; write(values: number[]): void } | undefined {
  const adam = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  const { accBeta1, accBeta2 } = adam;
  if (!accBeta1 || !accBeta2) return undefined;
  return {
    read: async () => [(await accBeta1.data())[0]!, (await accBeta2.data())[0]!],
    write(values) {
      if (values.length !== 2) return;
      tf.tidy(() => {
        accBeta1.assign(tf.scalar(values[0]!));
        accBeta2.assign(tf.scalar(values[1]!));
      });
    },
  };
}

/** Per-sample loss with Keras's clipping (as model.fit computes it). */
const perSampleLoss = (loss: LossSpec, y: tf.Tensor, p: tf.Tensor): tf.Tensor =>
  loss.name === 'binary_crossentropy' ? tf.metrics.binaryCrossentropy(y, p) : tf.metrics.categoricalCrossentropy(y, p);

/** The TensorFlow.js engine: the reference path, and the fast one with tfjs-node-gpu. */
export function createTfjsEngine(spec: ModelSpec, loaded: LoadedBackend, options: { loss: LossSpec; optimizer: OptimizerSpec; seed: number; random: Rng }): TrainingEngine {
  const built = buildTfModel(spec, options.seed, options.random);
  const { model } = built;
  const optimizer = optimizerFor(options.optimizer);
  let lr = options.optimizer.lr;
  const units = outputUnits(spec);
  const [h, w, c] = spec.inputShape;
  // In exp's weight order, so the optimizer's moments line up with the onnx engine's.
  const trainable = () => built.weights.filter((w) => w.trainable).map((v) => v.read() as tf.Variable);

  return {
    name: 'tfjs',
    backend: loaded.backend,
    device: loaded.device,
    spec,
    async trainStep(x, targets, sampleWeights) {
      const n = sampleWeights.length;
      const { loss, outputs } = tf.tidy(() => {
        const xs = tf.tensor4d(x, [n, h, w, c]);
        const ys = tf.tensor2d(targets, [n, units]);
        const ws = tf.tensor1d(sampleWeights);
        let out: tf.Tensor | undefined;
        const value = optimizer.minimize(
          () => {
            // Kept here: minimize() tidies the forward pass, so a keep after it would come too late.
            out = tf.keep(model.apply(xs, { training: true }) as tf.Tensor);
            return tf.mean(tf.mul(perSampleLoss(options.loss, ys, out), ws)) as tf.Scalar;
          },
          true,
          trainable(),
        )!;
        return { loss: value, outputs: out! };
      });
      const [l, o] = await Promise.all([loss.data(), outputs.data()]);
      loss.dispose();
      outputs.dispose();
      return { loss: l[0]!, outputs: o as Float32Array };
    },
    async predict(x, n) {
      const out = tf.tidy(() => model.predict(tf.tensor4d(x, [n, h, w, c]), { batchSize: 64 }) as tf.Tensor);
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    },
    getWeights: () => readWeights(built),
    setWeights: (weights) => writeWeights(built, weights),
    get learningRate() {
      return lr;
    },
    set learningRate(value: number) {
      // tfjs optimizers take the rate at construction; a new one keeps no moment estimates,
      // so set it in place where the optimizer exposes it.
      lr = value;
      // SGD and momentum step with a scalar made from the rate (setLearningRate remakes it);
      // adam and rmsprop read the field itself.
      // (instanceof cannot tell them apart: tfjs optimizers answer it by duck typing.)
      const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
      if (typeof o.setLearningRate === 'function') o.setLearningRate(value);
      else o.learningRate = value;
    },
    async saveState() {
      // tfjs's optimizer weights: the iteration count, then moments shaped like the trainable weights.
      const [iterations, ...moments] = await optimizer.getWeights();
      const arrays = await Promise.all(moments.map(async (m) => (await m.tensor.data()) as Float32Array));
      const count = (await iterations!.tensor.data())[0]!;
      iterations!.tensor.dispose(); // made for this call; the moments are the optimizer's own
      const powers = (await adamPowers(optimizer)?.read()) ?? [];
      return { optimizer: { arrays, scalars: [count, ...powers] }, random: options.random.state, lr };
    },
    async loadState(state) {
      const shapes = trainable().map((v) => v.shape);
      const [count, ...powers] = state.optimizer.scalars;
      const values = [
        { name: 'iter', tensor: tf.scalar(count!, 'int32') },
        ...state.optimizer.arrays.map((a, i) => ({ name: `moment${i}`, tensor: tf.tensor(a, shapes[i % shapes.length]) })),
      ];
      await optimizer.setWeights(values); // copies them into variables of its own
      tf.dispose(values.map((v) => v.tensor));
      adamPowers(optimizer)?.write(powers);
      options.random.state = state.random;
      this.learningRate = state.lr;
    },
    async dispose() {
      // tfjs's MomentumOptimizer.dispose() leaves its SGD base's learning-rate scalar behind.
      const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
      optimizer.dispose();
      if (rate && !rate.isDisposed) rate.dispose();
      model.dispose();
    },
  };
}
