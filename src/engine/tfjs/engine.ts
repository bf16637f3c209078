import * as tf from '@tensorflow/tfjs';
import { clipTensorsByGlobalNorm, type OptimizerSpec } from '../optimizer.js';
import { smoothingClasses, type LossSpec } from '../loss.js';
import type { ModelSpec } from '../../model/spec.js';
import type { Rng } from '../../data/rng.js';
import { outputUnits, type TrainingEngine } from '../engine.js';
import type { LoadedBackend } from './backend.js';
import { buildTfModel, readWeights, setTrainable, writeWeights } from './build.js';

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

/** Per-sample loss with Keras's clipping (as model.fit computes it), after Keras's label smoothing. */
function perSampleLoss(loss: LossSpec, hard: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const s = loss.label_smoothing;
  const y = s > 0 ? tf.add(tf.mul(hard, 1 - s), s / smoothingClasses(p.shape[1]!)) : hard;
  if (loss.name === 'categorical_crossentropy') return tf.metrics.categoricalCrossentropy(y, p);
  if (loss.name === 'binary_crossentropy') return tf.metrics.binaryCrossentropy(y, p);
  if (loss.name === 'categorical_focal') {
    // Keras's CategoricalFocalCrossentropy on probabilities: rows normalised, clipped, summed over classes.
    const clipped = tf.clipByValue(tf.div(p, tf.sum(p, -1, true)), 1e-7, 1 - 1e-7);
    const focal = tf.mul(tf.pow(tf.sub(1, clipped), loss.gamma), tf.neg(tf.mul(y, tf.log(clipped))));
    return tf.mul(tf.sum(focal, -1), loss.alpha ?? 1);
  }
  // Keras's BinaryFocalCrossentropy on probabilities.
  const eps = 1e-7;
  const clipped = tf.clipByValue(p, eps, 1 - eps);
  const bce = tf.neg(tf.add(tf.mul(y, tf.log(clipped)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, clipped)))));
  const pt = tf.add(tf.mul(y, p), tf.mul(tf.sub(1, y), tf.sub(1, p)));
  let focal = tf.mul(tf.pow(tf.sub(1, pt), loss.gamma), bce);
  if (loss.alpha !== undefined) focal = tf.mul(tf.add(tf.mul(y, loss.alpha), tf.mul(tf.sub(1, y), 1 - loss.alpha)), focal);
  return tf.mean(focal, -1);
}

function disposeOptimizer(optimizer: tf.Optimizer): void {
  // tfjs's MomentumOptimizer.dispose() leaves its SGD base's learning-rate scalar behind.
  const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
  optimizer.dispose();
  if (rate && !rate.isDisposed) rate.dispose();
}

/** The TensorFlow.js engine: the reference path, and the fast one with tfjs-node-gpu. */
export function createTfjsEngine(spec: ModelSpec, loaded: LoadedBackend, options: { loss: LossSpec; optimizer: OptimizerSpec; clipNorm?: number; seed: number; random: Rng }): TrainingEngine {
  const built = buildTfModel(spec, options.seed, options.random);
  const { model } = built;
  let update = options.optimizer.tfjs(tf);
  let { optimizer } = update;
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
        const variables = trainable();
        const { value, grads } = optimizer.computeGradients(() => {
          // Kept here: computeGradients() tidies the forward pass, so a keep after it would come too late.
          out = tf.keep(model.apply(xs, { training: true }) as tf.Tensor);
          return tf.mean(tf.mul(perSampleLoss(options.loss, ys, out), ws)) as tf.Scalar;
        }, variables);
        update.apply(options.clipNorm !== undefined ? clipTensorsByGlobalNorm(tf, grads, options.clipNorm) : grads, variables, lr);
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
    freeze(nodes) {
      built.nodeLayers.forEach((layers, i) => layers.forEach((l) => setTrainable(l, !nodes.has(i))));
      disposeOptimizer(optimizer);
      update = options.optimizer.tfjs(tf);
      ({ optimizer } = update);
      this.learningRate = lr;
    },
    async dispose() {
      disposeOptimizer(optimizer);
      model.dispose();
    },
  };
}
