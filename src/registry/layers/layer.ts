import type * as tf from '@tensorflow/tfjs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { unaryNode, type LayerLowering, type NodeLowering } from '../../engine/onnx/lowering.js';
import { ACTIVATIONS, LEAKY_RELU_ALPHA, type Activation, type LayerSpec } from '../../model/spec.js';
import type { HardActivation } from '../../engine/tfjs/hard-activation.js';
import type { SeededDropout } from '../../engine/tfjs/seeded-dropout.js';
import { component, type Component } from '../component.js';
import { Params, SizePair, StringEnum, toPair } from '../params.js';

/** What a layer's tfjs definition gets besides its spec. */
export interface TfjsLayerContext {
  /** The tfjs module, handed in by the tfjs engine, so the registry (exp validate, list, --help) loads without tfjs. */
  tf: typeof tf;
  /** Seeded glorot-uniform initialiser for kernels, so every engine starts from the same weights. */
  kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>;
  /** exp's seeded generator for dropout masks; absent for export, where dropout must be tfjs's own layer. */
  random: (() => number) | undefined;
  /** exp's own tfjs layers, which extend tf.layers.Layer and so are defined where tfjs is loaded. */
  HardActivation: typeof HardActivation;
  SeededDropout: typeof SeededDropout;
}

/**
 * A layer that YAML can name: its params schema, the engine-neutral spec it creates (its
 * name is the spec's type), and how each engine runs that spec: the tfjs layers, and the
 * ONNX forward lowering (its gradient is derived from the ops it emits: engine/onnx/autodiff.ts).
 */
export interface LayerComponent<S extends LayerSpec = LayerSpec> extends Component<void, S> {
  readonly name: S['type'];
  /** 'one' input, or 'many' (two or more: add, concat, multiply). */
  readonly inputs: 'one' | 'many';
  /** The tfjs layers, applied in turn (a 'many' layer is one layer applied to all its inputs). */
  tfjs(spec: S, ctx: TfjsLayerContext): tf.layers.Layer[];
  readonly onnx: NodeLowering<S>;
  /** Output shape (NHWC, no batch axis) and parameter count, for summaries and shape checks. */
  shape(spec: S, inputs: number[][], ids: string[]): { shape: number[]; params: number };
}

interface LayerDef<P extends TSchema, S extends LayerSpec> {
  name: S['type'];
  summary: string;
  params: P;
  create: (params: Static<P>) => S;
  tfjs: (spec: S, ctx: TfjsLayerContext) => tf.layers.Layer[];
  shape: (spec: S, inputs: number[][], ids: string[]) => { shape: number[]; params: number };
}

export function layer<P extends TSchema, S extends LayerSpec>(def: LayerDef<P, S> & { onnx: LayerLowering<S> }): LayerComponent<S> {
  const { name, summary, params, create } = def;
  return { ...component({ name, summary, params, create }), name, inputs: 'one', tfjs: def.tfjs, onnx: unaryNode(def.onnx), shape: def.shape };
}

/** A layer that merges two or more inputs. */
export function mergeLayer<P extends TSchema, S extends LayerSpec>(def: LayerDef<P, S> & { onnx: NodeLowering<S> }): LayerComponent<S> {
  const { name, summary, params, create } = def;
  return { ...component({ name, summary, params, create }), name, inputs: 'many', tfjs: def.tfjs, onnx: def.onnx, shape: def.shape };
}

export const activationParam = (fallback: Activation) =>
  StringEnum(ACTIVATIONS, { default: fallback, description: 'activation applied to the output' });

export const paddingParam = () =>
  StringEnum(['valid', 'same'] as const, { default: 'valid', description: "'same' keeps the size (TensorFlow semantics), 'valid' does not pad" });

type TfActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'softmax' | 'tanh' | 'elu' | 'gelu' | 'swish';

/** Activations tfjs has no string for: they run as their own layer after a linear one. */
const OWN_LAYER = new Set<Activation>(['leaky_relu', 'hard_sigmoid', 'hard_swish']);

export const tfjsActivation = (a: Activation): TfActivation => (OWN_LAYER.has(a) ? 'linear' : (a as TfActivation));

/** The tfjs layer of an activation on its own. */
export function activationLayer({ tf, HardActivation }: TfjsLayerContext, a: Activation): tf.layers.Layer {
  if (a === 'leaky_relu') return tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA });
  if (a === 'hard_sigmoid' || a === 'hard_swish') return new HardActivation(a);
  return tf.layers.activation({ activation: a });
}

/** `layer`, followed by the activation's own layer when tfjs has no string for it. */
export const withActivation = (ctx: TfjsLayerContext, layer: tf.layers.Layer, a: Activation): tf.layers.Layer[] => (OWN_LAYER.has(a) ? [layer, activationLayer(ctx, a)] : [layer]);

/** Params every convolution takes (conv2d, depthwise_conv2d, separable_conv2d). */
export const convParams = () => ({
  kernel: SizePair({ default: 3, description: 'kernel size: n or [height, width]' }),
  strides: SizePair({ default: 1, description: 'stride: n or [height, width]' }),
  padding: paddingParam(),
  activation: activationParam('linear'),
  bias: Type.Boolean({ default: true, description: 'add a learned bias' }),
});

/** Those params as a spec's fields. */
export const convFields = (p: Static<ReturnType<typeof Params<ReturnType<typeof convParams>>>>) =>
  ({ kernel: toPair(p.kernel), strides: toPair(p.strides), padding: p.padding, activation: p.activation, useBias: p.bias });

/** Params of maxpool and avgpool. */
export const poolParams = () =>
  Params({
    size: SizePair({ default: 2, description: 'window: n or [height, width]' }),
    strides: Type.Optional(SizePair({ description: 'stride; defaults to the window size' })),
    padding: paddingParam(),
  });
