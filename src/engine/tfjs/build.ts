import * as tf from '@tensorflow/tfjs';
import { MODEL_INPUT, type ModelSpec } from '../../model/spec.js';
import { layerOf, type TfjsLayerContext } from '../../registry/layers/index.js';
import { HardActivation } from './hard-activation.js';
import { SeededDropout } from './seeded-dropout.js';

/** A tfjs model of a spec and its weights in exp's order (see modelWeights in the onnx engine). */
export interface TfModel {
  model: tf.LayersModel;
  /** Trainable weights node by node, then the non-trainable ones (tfjs orders a functional model's otherwise). */
  weights: tf.LayerVariable[];
  /** Each spec node's tfjs layers. */
  nodeLayers: tf.layers.Layer[][];
}

/** What a layer's tfjs definition gets: tfjs itself, a kernel initialiser seeded with `seed`, exp's own layers. */
export const layerContext = (seed: number, random?: () => number): TfjsLayerContext =>
  ({ tf, kernelInitializer: tf.initializers.glorotUniform({ seed }), random, HardActivation, SeededDropout });

/**
 * The functional tfjs model of a spec's graph, initialised from `seed` (glorot-uniform kernels
 * seeded per node, zero biases), so every engine starts a run from the same weights. Without
 * `random` (for export), dropout is tfjs's own layer, so any tfjs can load the model.
 */
export function buildTfModel(spec: ModelSpec, seed: number, random?: () => number): TfModel {
  const input = tf.input({ shape: spec.inputShape });
  const outputs = new Map<string, tf.SymbolicTensor>([[MODEL_INPUT, input]]);
  const perNode: tf.layers.Layer[][] = [];
  spec.nodes.forEach(({ id, layer, inputs }, i) => {
    const component = layerOf(layer);
    const built = component.tfjs(layer, layerContext(seed + i, random));
    perNode.push(built);
    let xs = inputs.map((from) => outputs.get(from)!);
    if (component.inputs === 'many') {
      // A [C] gate times an [H, W, C] image: tfjs broadcasts only after the gate is [1, 1, C].
      const rank = Math.max(...xs.map((x) => x.shape.length));
      xs = xs.map((x) => (x.shape.length === rank ? x : (tf.layers.reshape({ targetShape: [1, 1, x.shape.at(-1)!] }).apply(x) as tf.SymbolicTensor)));
      outputs.set(id, built[0]!.apply(xs) as tf.SymbolicTensor);
    } else {
      outputs.set(id, built.reduce((x, l) => l.apply(x) as tf.SymbolicTensor, xs[0]!));
    }
  });
  const model = tf.model({ inputs: input, outputs: outputs.get(spec.nodes.at(-1)!.id)! });
  const layers = perNode.flat();
  return { model, weights: [...layers.flatMap((l) => l.trainableWeights), ...layers.flatMap((l) => l.nonTrainableWeights)], nodeLayers: perNode };
}

const inferenceWhenFrozen = new WeakSet<tf.layers.Layer>();

/**
 * Sets a layer's trainable flag. An untrainable layer also runs as at inference (batch norm on its
 * moving statistics, no dropout), as Keras's do; tfjs's own layers would keep training mode.
 */
export function setTrainable(layer: tf.layers.Layer, trainable: boolean): void {
  layer.trainable = trainable;
  if (inferenceWhenFrozen.has(layer)) return;
  inferenceWhenFrozen.add(layer);
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, layer.trainable ? kwargs : { ...kwargs, training: false });
}

export const readWeights = ({ weights }: TfModel): Float32Array[] => weights.map((w) => (w.read().dataSync() as Float32Array).slice());

export function writeWeights({ weights }: TfModel, values: ArrayLike<number>[]): void {
  if (values.length !== weights.length) throw new Error(`setWeights: expected ${weights.length} arrays, got ${values.length}`);
  tf.tidy(() => weights.forEach((w, i) => w.write(tf.tensor(values[i]!, w.shape as number[]))));
}
