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

export interface BackwardResult {
  /** Gradient w.r.t. the layer input; null when not requested. */
  dx: string | null;
  /** Gradients of the trainable params, in declaration order. */
  grads: string[];
}

export interface Lowered {
  y: TensorRef;
  /** Present in training graphs for layers that pass gradients. */
  backward?: (dy: string, needDx: boolean) => BackwardResult;
  /** New values of the non-trainable params (training only), in declaration order. */
  updates?: string[];
}

/** One layer type: its weights and its forward lowering (whose result carries the backward). */
export interface LayerLowering<S> {
  params(spec: S, input: number[]): ParamDecl[];
  forward(ctx: LowerContext, spec: S, x: TensorRef, params: string[]): Lowered;
}
