import * as tf from '@tensorflow/tfjs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { LayerLowering } from '../../engine/onnx/lowering.js';
import { ACTIVATIONS, LEAKY_RELU_ALPHA, type Activation, type LayerSpec } from '../../model/spec.js';
import { component, type Component } from '../component.js';
import { Params, SizePair, StringEnum } from '../params.js';

/** What a layer's tfjs definition gets besides its spec. */
export interface TfjsLayerContext {
  /** Seeded glorot-uniform initialiser for kernels, so every engine starts from the same weights. */
  kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>;
  /** exp's seeded generator for dropout masks; absent for export, where dropout must be tfjs's own layer. */
  random: (() => number) | undefined;
}

/**
 * A layer that YAML can name: its params schema, the engine-neutral spec it creates (its
 * name is the spec's type), and how each engine runs that spec: the tfjs layers, and the
 * ONNX forward lowering whose result carries the backward.
 */
export interface LayerComponent<S extends LayerSpec = LayerSpec> extends Component<void, S> {
  readonly name: S['type'];
  tfjs(spec: S, ctx: TfjsLayerContext): tf.layers.Layer[];
  readonly onnx: LayerLowering<S>;
}

export function layer<P extends TSchema, S extends LayerSpec>(def: {
  name: S['type'];
  summary: string;
  params: P;
  create: (params: Static<P>) => S;
  tfjs: (spec: S, ctx: TfjsLayerContext) => tf.layers.Layer[];
  onnx: LayerLowering<S>;
}): LayerComponent<S> {
  const { name, summary, params, create } = def;
  return { ...component({ name, summary, params, create }), name, tfjs: def.tfjs, onnx: def.onnx };
}

export const activationParam = (fallback: Activation) =>
  StringEnum(ACTIVATIONS, { default: fallback, description: 'activation applied to the output' });

export const paddingParam = () =>
  StringEnum(['valid', 'same'] as const, { default: 'valid', description: "'same' keeps the size (TensorFlow semantics), 'valid' does not pad" });

type TfActivation = 'linear' | 'relu' | 'sigmoid' | 'softmax' | 'tanh' | 'elu' | 'gelu' | 'swish';

/** tfjs has no 'leaky_relu' activation string: that one runs as its own layer after a linear one. */
export const tfjsActivation = (a: Activation): TfActivation => (a === 'leaky_relu' ? 'linear' : a);

/** `layer`, followed by tfjs's LeakyReLU layer when the activation is leaky_relu. */
export const withLeakyRelu = (layer: tf.layers.Layer, a: Activation): tf.layers.Layer[] =>
  a === 'leaky_relu' ? [layer, tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA })] : [layer];

/** Params of maxpool and avgpool. */
export const poolParams = () =>
  Params({
    size: SizePair({ default: 2, description: 'window: n or [height, width]' }),
    strides: Type.Optional(SizePair({ description: 'stride; defaults to the window size' })),
    padding: paddingParam(),
  });
