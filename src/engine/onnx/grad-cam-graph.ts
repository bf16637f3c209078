import { backward, describeParams, lowerNodes, nhwcInput, outputUnits, type ParamInfo } from './build.js';
import { GraphBuilder } from './graph.js';
import type { LowerContext, TensorRef } from './lowering.js';
import type { PlannedNode } from './plan.js';
import type { ModelSpec } from '../../model/spec.js';

/** Names of the Grad-CAM graph's inputs and outputs. */
export const GRAD_CAM_IO = {
  /** one NHWC image, [1, h, w, c] */
  x: 'x',
  /** [1, units]: the class score is sum(logits * selector) (a one-hot row; -1 picks the negative class of one sigmoid unit) */
  selector: 'selector',
  /** the chosen node's output for the image, [1, h, w, k] (NHWC) */
  featureMap: 'feature_map',
  /** d(class score)/d(feature map), [1, h, w, k] (NHWC) */
  gradient: 'gradient',
} as const;

export interface GradCamGraph {
  model: Uint8Array;
  /** [height, width, channels] of the feature map and of its gradient */
  mapShape: [number, number, number];
}

/**
 * The model up to its logits (the output layer's activation dropped): Grad-CAM differentiates the
 * class's logit, not its probability, whose slope vanishes for a confident prediction.
 */
function logitsSpec(spec: ModelSpec): ModelSpec {
  const last = spec.nodes.at(-1)!;
  if (last.layer.type !== 'dense' || (last.layer.activation !== 'sigmoid' && last.layer.activation !== 'softmax')) {
    throw new Error(`the model ends in ${last.layer.type}, not a sigmoid or softmax dense layer: no class score to differentiate`);
  }
  return { ...spec, nodes: [...spec.nodes.slice(0, -1), { ...last, layer: { ...last.layer, activation: 'linear' } }] };
}

/**
 * The forward pass in inference mode and d(score)/d(the node `target`'s output), given dScore/dLogits.
 * The one place this file depends on build.ts's backward pass (each layer's backward closure, which
 * only a training lowering carries): layers without state are lowered for training (dropout masks of
 * ones: the same values as inference), layers with running statistics (batch norm) for inference.
 * Once the forward is differentiated op by op, this becomes the inference lowering and one
 * "gradient of a scalar w.r.t. a named tensor" call.
 */
function forwardAndGradient(g: GraphBuilder, x: TensorRef, nodes: PlannedNode[], params: ParamInfo[], target: string, dLogits: string): { map: TensorRef; gradient: string } {
  const stateful = new Set(params.filter((p) => !p.trainable).map((p) => p.layer));
  const inference: LowerContext = { g, training: false, dropoutMask: () => g.scalar(1) };
  const differentiable: LowerContext = { ...inference, training: true };
  const { steps } = lowerNodes((node) => (stateful.has(node.owner) ? inference : differentiable), x, nodes, params);
  const at = steps.findIndex((s) => s.node.id === target);
  // backward() returns the gradients of trainable weights: the target poses as the one weight, owned by a node of its own.
  const owner = nodes.length;
  const walked = steps.map((s, i) =>
    i === at ? { node: { ...s.node, owner }, lowered: { ...s.lowered, backward: (dy: string) => ({ dxs: s.node.inputs.map(() => null), grads: [dy] }) } } : s,
  );
  const grads = backward(g, walked, [{ name: target, layer: owner, trainable: true, suffix: 'map', shape: [], init: 'zeros' }], dLogits);
  return { map: steps[at]!.lowered.y, gradient: grads.get(owner)![0]! };
}

/**
 * An ONNX graph for Grad-CAM at node `target` of a trained model: one image and a class selector
 * in, the node's feature map and the class score's gradient with respect to it out, with the
 * weights (tfjs layout, describeParams order) baked in.
 */
export function buildGradCamGraph(spec: ModelSpec, weights: readonly Float32Array[], target: string): GradCamGraph {
  const logits = logitsSpec(spec);
  const params = describeParams(logits);
  if (weights.length !== params.length) throw new Error(`the model has ${params.length} weights, got ${weights.length}`);
  const node = spec.nodes.findIndex((n) => n.id === target);
  if (node < 0 || node === spec.nodes.length - 1) throw new Error(`no node '${target}' before the output`);
  const g = new GraphBuilder();
  const x = nhwcInput(g, spec, 1);
  params.forEach((p, i) => g.initializer(p.name, weights[i]!, p.shape));
  const selector = g.input(GRAD_CAM_IO.selector, [1, outputUnits(spec)]);
  // The plan as written, no fusion: the map is the node's own output (planNodes would move a relu past a pool).
  const nodes: PlannedNode[] = logits.nodes.map((n, owner) => ({ id: n.id, layer: n.layer, inputs: n.inputs, owner }));
  const { map, gradient } = forwardAndGradient(g, x, nodes, params, target, selector);
  if (map.shape.length !== 4) throw new Error(`node '${target}' has no spatial output`);
  const [, k, h, w] = map.shape as [number, number, number, number];
  g.output(g.transpose(map.name, [0, 2, 3, 1]), GRAD_CAM_IO.featureMap, [1, h, w, k]);
  g.output(g.transpose(gradient, [0, 2, 3, 1]), GRAD_CAM_IO.gradient, [1, h, w, k]);
  return { model: g.toModel('grad-cam'), mapShape: [h, w, k] };
}
