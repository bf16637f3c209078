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

/** One layer type of one input: its weights and its forward lowering (whose result carries the backward). */
export interface LayerLowering<S> {
  params(spec: S, input: number[]): ParamDecl[];
  forward(ctx: LowerContext, spec: S, x: TensorRef, params: string[]): Lowered;
}

export interface NodeBackward {
  /** Per input, the gradient w.r.t. it, or null where `needDx` says it is not wanted. */
  dxs: (string | null)[];
  grads: string[];
}

export interface LoweredNode {
  y: TensorRef;
  backward?: (dy: string, needDx: boolean[]) => NodeBackward;
  updates?: string[];
}

/** A graph node's lowering: any number of inputs. */
export interface NodeLowering<S> {
  params(spec: S, inputs: number[][]): ParamDecl[];
  forward(ctx: LowerContext, spec: S, xs: TensorRef[], params: string[]): LoweredNode;
}

/** A one-input lowering as a node lowering. */
export function unaryNode<S>(lowering: LayerLowering<S>): NodeLowering<S> {
  return {
    params: (spec, inputs) => lowering.params(spec, inputs[0]!),
    forward(ctx, spec, xs, params) {
      const { y, backward, updates } = lowering.forward(ctx, spec, xs[0]!, params);
      return {
        y,
        ...(updates ? { updates } : {}),
        ...(backward
          ? {
              backward: (dy: string, needDx: boolean[]) => {
                const { dx, grads } = backward(dy, needDx[0]!);
                return { dxs: [dx], grads };
              },
            }
          : {}),
      };
    },
  };
}
