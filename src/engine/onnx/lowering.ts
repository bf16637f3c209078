import type { GraphBuilder } from './graph.js';

/**
 * A tensor inside the graph. Internal layout is NCHW for images and [N, F] for vectors;
 * shape[0] is the batch (-1 when dynamic).
 */
export interface TensorRef {
  name: string;
  shape: number[];
}

/** A weight in tfjs layout; `trainable: false` marks state such as batch-norm running statistics. */
export interface ParamDecl {
  suffix: string;
  shape: number[];
  init: 'glorot_uniform' | 'zeros' | 'ones';
  trainable: boolean;
}

export interface LowerContext {
  g: GraphBuilder;
  training: boolean;
  /** Declares a per-step input for an inverted-dropout keep-mask (internal layout) and returns its name. */
  dropoutMask(shape: number[], rate: number): string;
}

/** A lowered node: its output, and in training graphs the new values of its non-trainable params. */
export interface Lowered {
  y: TensorRef;
  /** Declaration order; gradients are not written per layer but derived from the emitted ops (autodiff.ts). */
  updates?: string[];
}

/** One layer type of one input: its weights and its forward lowering. */
export interface LayerLowering<S> {
  params(spec: S, input: number[]): ParamDecl[];
  forward(ctx: LowerContext, spec: S, x: TensorRef, params: string[]): Lowered;
}

/** A graph node's lowering: any number of inputs. */
export interface NodeLowering<S> {
  params(spec: S, inputs: number[][]): ParamDecl[];
  forward(ctx: LowerContext, spec: S, xs: TensorRef[], params: string[]): Lowered;
}

/** A one-input lowering as a node lowering. */
export function unaryNode<S>(lowering: LayerLowering<S>): NodeLowering<S> {
  return { params: (spec, inputs) => lowering.params(spec, inputs[0]!), forward: (ctx, spec, xs, params) => lowering.forward(ctx, spec, xs[0]!, params) };
}
