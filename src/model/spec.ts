/**
 * The engine-neutral description of a model: what the registries resolve an experiment's
 * `model:` into, and what each training engine (tfjs, onnx) builds from.
 */
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'softmax', 'tanh', 'elu', 'leaky_relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type Padding = 'same' | 'valid';
export type Pair = [number, number];

export type LayerSpec =
  | { type: 'conv2d'; filters: number; kernel: Pair; strides: Pair; padding: Padding; activation: Activation; useBias: boolean }
  | { type: 'maxpool'; size: Pair; strides: Pair; padding: Padding }
  | { type: 'avgpool'; size: Pair; strides: Pair; padding: Padding }
  | { type: 'global_avgpool' }
  | { type: 'global_maxpool' }
  | { type: 'flatten' }
  | { type: 'dense'; units: number; activation: Activation; useBias: boolean }
  | { type: 'dropout'; rate: number }
  | { type: 'batchnorm'; momentum: number; epsilon: number }
  | { type: 'activation'; activation: Activation };

export interface ModelSpec {
  /** NHWC without the batch axis, like tfjs. */
  inputShape: [number, number, number];
  layers: LayerSpec[];
}
