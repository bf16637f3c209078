/**
 * The engine-neutral description of a model: what the registries resolve an experiment's
 * `model:` into, and what each training engine (tfjs, onnx) builds from. Weights follow
 * tfjs's Sequential layout and order in every engine.
 */
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'softmax', 'tanh', 'elu', 'leaky_relu', 'gelu', 'swish'] as const;
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

export type LayerSpec =
  | Conv2dSpec | MaxPoolSpec | AvgPoolSpec | GlobalAvgPoolSpec | GlobalMaxPoolSpec
  | FlattenSpec | DenseSpec | DropoutSpec | BatchNormSpec | ActivationSpec;

export interface ModelSpec {
  /** [height, width, channels]: inputs arrive NHWC like tfjs, without the batch axis. */
  inputShape: [number, number, number];
  layers: LayerSpec[];
}
