import { describeParams, logitGradient, outputUnits } from './build.js';
import { GraphBuilder } from './graph.js';
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
 * An ONNX graph for Grad-CAM at node `target` of a trained model: one image and a class selector
 * in, the node's feature map and the class score's gradient with respect to it out, with the
 * weights (tfjs layout, describeParams order) baked in. The gradient is derived op by op
 * (build.ts: logitGradient), through the inference lowering.
 */
export function buildGradCamGraph(spec: ModelSpec, weights: readonly Float32Array[], target: string): GradCamGraph {
  const expected = describeParams(spec).length;
  if (weights.length !== expected) throw new Error(`the model has ${expected} weights, got ${weights.length}`);
  if (spec.nodes.at(-1)?.id === target) throw new Error(`no node '${target}' before the output`);
  const g = new GraphBuilder();
  const selector = g.input(GRAD_CAM_IO.selector, [1, outputUnits(spec)]);
  const { feature, gradient } = logitGradient(g, spec, target, selector, [...weights]);
  if (feature.shape.length !== 4) throw new Error(`node '${target}' has no spatial output`);
  const [, k, h, w] = feature.shape as [number, number, number, number];
  g.output(g.transpose(feature.name, [0, 2, 3, 1]), GRAD_CAM_IO.featureMap, [1, h, w, k]);
  g.output(g.transpose(gradient, [0, 2, 3, 1]), GRAD_CAM_IO.gradient, [1, h, w, k]);
  return { model: g.toModel('grad-cam'), mapShape: [h, w, k] };
}
