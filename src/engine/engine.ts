import { outputLayer, type ModelSpec } from '../model/spec.js';

/**
 * What the training loop needs from an engine. Both engines take NHWC float32 images and
 * weights in tfjs layout and order, so weights move between them unchanged.
 */
export interface TrainingEngine {
  readonly name: 'tfjs' | 'onnx';
  /** The runtime under the engine: tfjs-node-gpu, tfjs-node, wasm, cpu (pure JS) or onnxruntime. */
  readonly backend: string;
  readonly device: 'GPU' | 'CPU';
  readonly spec: ModelSpec;
  /**
   * One optimisation step: `targets` are [n, units] (0/1 for a sigmoid head, one-hot for
   * softmax), `sampleWeights` [n]. Returns the batch's mean weighted loss and its outputs.
   */
  trainStep(x: Float32Array, targets: Float32Array, sampleWeights: Float32Array): Promise<{ loss: number; outputs: Float32Array }>;
  /** Inference outputs [n, units] for n images (batch norm on running stats, no dropout). */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  getWeights(): Float32Array[];
  setWeights(weights: Float32Array[]): void;
  /**
   * Keeps the weights of these nodes (indices into spec.nodes) as they are: no gradient step, and batch
   * norm on its moving statistics, no dropout there (Keras's trainable = false). The optimizer starts
   * afresh, as Keras's compile after a change of trainable does (its moments are per trainable weight).
   */
  freeze(nodes: ReadonlySet<number>): void;
  learningRate: number;
  /** Everything besides the weights that training depends on (for checkpoints). */
  saveState(): Promise<EngineState>;
  loadState(state: EngineState): Promise<void>;
  dispose(): Promise<void>;
}

export interface EngineState {
  /** The optimizer's moments (shaped like the trainable weights, in their order, repeated) and counters. */
  optimizer: { arrays: Float32Array[]; scalars: number[] };
  random: number;
  lr: number;
}

/** Units of the model's output layer: 1 for a sigmoid head, K for softmax. */
export function outputUnits(spec: ModelSpec): number {
  const last = outputLayer(spec);
  if (last.type !== 'dense') throw new Error('a model must end in a dense output layer');
  return last.units;
}
