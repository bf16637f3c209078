import type { ConfigIssue } from '../config/issues.js';

/**
 * The engine-neutral description of a model: what the registries resolve an experiment's
 * `model:` into, and what each training engine (tfjs, onnx) builds from: a graph of layer
 * nodes. Weights are in tfjs layout, ordered as `modelWeightOrder` says, in every engine.
 */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'softmax', 'tanh', 'elu', 'leaky_relu', 'gelu', 'swish', 'hard_swish'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type Padding = 'same' | 'valid';
export type Pair = [number, number];

/** Slope of 'leaky_relu' for x < 0: the default of tfjs's `tf.layers.leakyReLU`. */
export const LEAKY_RELU_ALPHA = 0.3;

export interface Conv2dSpec { type: 'conv2d'; filters: number; kernel: Pair; strides: Pair; padding: Padding; activation: Activation; useBias: boolean }
export interface MaxPoolSpec { type: 'maxpool'; size: Pair; strides: Pair; padding: Padding }
export interface AvgPoolSpec { type: 'avgpool'; size: Pair; strides: Pair; padding: Padding }
export interface GlobalAvgPoolSpec { type: 'global_avgpool' }
export interface GlobalMaxPoolSpec { type: 'global_maxpool' }
export interface FlattenSpec { type: 'flatten' }
export interface DenseSpec { type: 'dense'; units: number; activation: Activation; useBias: boolean }
export interface DropoutSpec { type: 'dropout'; rate: number }
export interface BatchNormSpec { type: 'batchnorm'; momentum: number; epsilon: number }
export interface ActivationSpec { type: 'activation'; activation: Activation }
export interface AddSpec { type: 'add' }
export interface ConcatSpec { type: 'concat' }
export interface MultiplySpec { type: 'multiply' }
export interface DepthwiseConv2dSpec { type: 'depthwise_conv2d'; kernel: Pair; strides: Pair; padding: Padding; depthMultiplier: number; activation: Activation; useBias: boolean }
export interface SeparableConv2dSpec { type: 'separable_conv2d'; filters: number; kernel: Pair; strides: Pair; padding: Padding; depthMultiplier: number; activation: Activation; useBias: boolean }
/** [[top, bottom], [left, right]] zeros around the image. */
export interface ZeroPadding2dSpec { type: 'zero_padding2d'; padding: [Pair, Pair] }

export type LayerSpec =
  | Conv2dSpec | MaxPoolSpec | AvgPoolSpec | GlobalAvgPoolSpec | GlobalMaxPoolSpec
  | FlattenSpec | DenseSpec | DropoutSpec | BatchNormSpec | ActivationSpec
  | AddSpec | ConcatSpec | MultiplySpec | DepthwiseConv2dSpec | SeparableConv2dSpec | ZeroPadding2dSpec;

/** The id by which a node takes the model's input. */
export const MODEL_INPUT = 'input';

/** One layer of the graph and the ids of the nodes (or MODEL_INPUT) whose outputs it takes. */
export interface ModelNode {
  id: string;
  layer: LayerSpec;
  inputs: string[];
  /** Where the node was written, for errors found once shapes are known. */
  where?: ConfigIssue['where'];
}

export interface ModelSpec {
  /** [height, width, channels]: inputs arrive NHWC like tfjs, without the batch axis. */
  inputShape: [number, number, number];
  /** In topological order (every node after its inputs); the last one is the output. */
  nodes: ModelNode[];
}

/** A straight stack of layers as a graph: each node takes the one before it. */
export function chain(inputShape: [number, number, number], layers: LayerSpec[]): ModelSpec {
  return { inputShape, nodes: layers.map((layer, i) => ({ id: `${layer.type}_${i}`, layer, inputs: [i === 0 ? MODEL_INPUT : `${layers[i - 1]!.type}_${i - 1}`] })) };
}

/** The spec as plain data for a file (a run's model/spec.json), without where each node was written. */
export const plainSpec = (spec: ModelSpec): ModelSpec => ({ inputShape: spec.inputShape, nodes: spec.nodes.map(({ id, layer, inputs }) => ({ id, layer, inputs })) });

/** The output node's layer. */
export const outputLayer = (spec: ModelSpec): LayerSpec => spec.nodes.at(-1)!.layer;
