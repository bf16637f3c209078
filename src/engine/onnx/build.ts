import { backprop, gradients } from './autodiff.js';
import { GraphBuilder } from './graph.js';
import { layerOf } from '../../registry/layers/index.js';
import type { LowerContext, ParamDecl, TensorRef } from './lowering.js';
import { lossActivation, lowerLoss } from './loss.js';
import type { LossSpec } from '../loss.js';
import { planNodes, type PlannedNode } from './plan.js';
import { summarize } from '../../model/summary.js';
import { MODEL_INPUT, type Activation, type ModelSpec } from '../../model/spec.js';

/** A weight of the model: tfjs layout, in exp's weight order (trainable node by node, then the rest). */
export interface ParamInfo extends ParamDecl {
  /** Graph input name. */
  name: string;
  /** Index of the node that owns it. */
  layer: number;
}

export interface MaskInput {
  name: string;
  /** Internal-layout shape (batch first). */
  shape: number[];
  rate: number;
}

export interface TrainGraph {
  model: Uint8Array;
  /** Per trainable param (in `describeParams` order): gradient output name. */
  gradOutputs: string[];
  /** Per non-trainable param (in `describeParams` order): output name of its new value. */
  updateOutputs: string[];
  masks: MaskInput[];
}

export const IO = { x: 'x', y: 'y', sampleWeights: 'sw', loss: 'loss', predictions: 'predictions' } as const;

const noMasks = (): string => {
  throw new Error('inference graphs take no dropout masks');
};

/** A summary shape (NHWC, no batch) in the internal layout: [-1, C, H, W] or [-1, F]. */
const internal = (shape: number[]): number[] => (shape.length === 3 ? [-1, shape[2]!, shape[0]!, shape[1]!] : [-1, ...shape]);

/** Every node's output shape in the internal layout, by id: one source of truth for shapes (summarize). */
function nodeShapes(spec: ModelSpec): Map<string, number[]> {
  const shapes = new Map<string, number[]>([[MODEL_INPUT, internal(spec.inputShape)]]);
  summarize(spec).layers.forEach((l) => shapes.set(l.id, internal(l.outputShape)));
  return shapes;
}

export function describeParams(spec: ModelSpec): ParamInfo[] {
  const shapes = nodeShapes(spec);
  const decls = spec.nodes.flatMap(({ layer, inputs }, i) =>
    layerOf(layer).onnx.params(layer, inputs.map((id) => shapes.get(id)!)).map((d) => ({ ...d, layer: i, id: `${layer.type}${i}_${d.suffix}` })),
  );
  // tfjs's getWeights() lists all trainable weights first, then the non-trainable ones.
  const ordered = [...decls.filter((d) => d.trainable), ...decls.filter((d) => !d.trainable)];
  return ordered.map(({ id, ...d }, k) => ({ ...d, name: `p${k}_${id}` }));
}

export function outputUnits(spec: ModelSpec): number {
  const out = summarize(spec).layers.at(-1)!.outputShape;
  if (out.length !== 1) throw new Error('the model must end with a flat output (dense or global pooling)');
  return out[0]!;
}

function nhwcInput(g: GraphBuilder, spec: ModelSpec, batch: number | string): TensorRef {
  const [h, w, c] = spec.inputShape;
  const x = g.input(IO.x, [batch, h, w, c]);
  // With one channel NHWC and NCHW share the memory order.
  const name = c === 1 ? g.reshape(x, [-1, 1, h, w]) : g.transpose(x, [0, 3, 1, 2]);
  return { name, shape: [typeof batch === 'number' ? batch : -1, c, h, w] };
}

/** The model without its output activation (of a final activation layer, dense or conv2d): a model that ends in logits. */
function splitOutputActivation(spec: ModelSpec): { logits: ModelSpec; activation: Activation } {
  const last = spec.nodes.at(-1)!;
  const head = spec.nodes.slice(0, -1);
  const { layer } = last;
  // Every node leads to the output (resolve refuses unused ids), so the activation's input is the node before it.
  if (layer.type === 'activation') return { logits: { ...spec, nodes: head }, activation: layer.activation };
  if (layer.type === 'dense' || layer.type === 'conv2d') {
    return { logits: { ...spec, nodes: [...head, { ...last, layer: { ...layer, activation: 'linear' } }] }, activation: layer.activation };
  }
  return { logits: spec, activation: 'linear' };
}

/** Splits off the output activation that the loss fuses with, leaving a model that ends in logits. */
function logitsModel(spec: ModelSpec, loss: LossSpec): ModelSpec {
  const want = lossActivation(loss);
  const { logits, activation } = splitOutputActivation(spec);
  if (activation !== want) throw new Error(`${loss.name} needs a final ${want} activation`);
  return logits;
}

interface LoweredGraph {
  /** Each planned node's output tensor, by node id (and the model input). */
  tensors: Map<string, TensorRef>;
  output: TensorRef;
  /** New values of the non-trainable params, per owner node (training graphs). */
  updates: Map<number, string[]>;
}

const NONE: ReadonlySet<number> = new Set();

/** Lowers the planned nodes in order; each takes the tensors of its input ids. */
function lowerNodes(ctx: LowerContext, x: TensorRef, nodes: PlannedNode[], params: ParamInfo[], frozen: ReadonlySet<number> = NONE): LoweredGraph {
  const tensors = new Map<string, TensorRef>([[MODEL_INPUT, x]]);
  const updates = new Map<number, string[]>();
  let output = x;
  // A frozen node runs as at inference: batch norm on its moving statistics, no dropout.
  const inference = { ...ctx, training: false };
  for (const node of nodes) {
    const owned = params.filter((p) => p.layer === node.owner).map((p) => p.name);
    const lowered = layerOf(node.layer).onnx.forward(frozen.has(node.owner) ? inference : ctx, node.layer, node.inputs.map((id) => tensors.get(id)!), owned);
    tensors.set(node.id, lowered.y);
    if (lowered.updates !== undefined) updates.set(node.owner, lowered.updates);
    output = lowered.y;
  }
  return { tensors, output, updates };
}

/** The training step's graph; the weights of `frozen` nodes (indices into spec.nodes) get neither gradients nor updates. */
export function buildTrainGraph(spec: ModelSpec, loss: LossSpec, batch: number, frozen: ReadonlySet<number> = NONE): TrainGraph {
  const units = outputUnits(spec);
  const params = describeParams(spec);
  const g = new GraphBuilder();
  const masks: MaskInput[] = [];
  const ctx: LowerContext = {
    g,
    training: true,
    dropoutMask: (shape, rate) => {
      const name = g.input(`mask${masks.length}`, shape);
      masks.push({ name, shape, rate });
      return name;
    },
  };
  const x = nhwcInput(g, spec, batch);
  const target = g.input(IO.y, [batch, units]);
  const sw = g.input(IO.sampleWeights, [batch]);
  for (const p of params) g.input(p.name, p.shape);

  const { output, updates } = lowerNodes(ctx, x, planNodes(logitsModel(spec, loss).nodes), params, frozen);
  const lowLoss = lowerLoss(g, loss, output.name, batch, units, target, sw);
  g.output(lowLoss.loss, IO.loss, []);
  g.output(lowLoss.predictions, IO.predictions, [batch, units]);
  // The loss's gradient w.r.t. the logits is fused (loss.ts); the rest is derived op by op.
  const trainable = params.filter((p) => p.trainable && !frozen.has(p.layer));
  const grads = backprop(g, new Map([[output.name, lowLoss.dLogits]]), trainable.map((p) => p.name));

  // Outputs follow params order; a layer's state updates keep its declaration order.
  const gradOutputs: string[] = [];
  const updateOutputs: string[] = [];
  const updated = new Map<number, number>();
  for (const p of params.filter((q) => !frozen.has(q.layer))) {
    let tensor: string | undefined;
    if (p.trainable) {
      tensor = grads.get(p.name);
    } else {
      const k = updated.get(p.layer) ?? 0;
      updated.set(p.layer, k + 1);
      tensor = updates.get(p.layer)?.[k];
    }
    if (tensor === undefined) throw new Error(`no ${p.trainable ? 'gradient' : 'update'} for ${p.name}`);
    const name = `${p.trainable ? 'grad' : 'new'}_${p.name}`;
    g.output(tensor, name, p.shape);
    (p.trainable ? gradOutputs : updateOutputs).push(name);
  }
  return { model: g.toModel('train'), gradOutputs, updateOutputs, masks };
}

/**
 * Forward-only graph with a dynamic batch: NHWC `x` in, `predictions` out.
 * With `weights` the params are baked in as initializers (a self-contained deployable model).
 */
export function buildInferenceGraph(spec: ModelSpec, weights?: Float32Array[]): Uint8Array {
  const g = new GraphBuilder();
  const { output } = lowerInference(g, spec, planNodes(spec.nodes), weights);
  g.output(output.name, IO.predictions, ['N', outputUnits(spec)]);
  return g.toModel('inference');
}

/** Lowers `nodes` of `spec` for inference into `g`: NHWC `x` with a dynamic batch; params are inputs, or initializers where `weights` are given. */
function lowerInference(g: GraphBuilder, spec: ModelSpec, nodes: PlannedNode[], weights: Float32Array[] | undefined): LoweredGraph {
  const params = describeParams(spec);
  const ctx: LowerContext = { g, training: false, dropoutMask: noMasks };
  const x = nhwcInput(g, spec, 'N');
  params.forEach((p, i) => {
    const w = weights?.[i];
    if (w === undefined) g.input(p.name, p.shape);
    else g.initializer(p.name, w, p.shape);
  });
  return lowerNodes(ctx, x, nodes, params);
}

export interface LogitGradient {
  /** The logits (the model's output before its sigmoid or softmax), [N, units]. */
  logits: TensorRef;
  /** The output of the node asked for, in the internal layout (NCHW for images). */
  feature: TensorRef;
  /** d(logit `unit`)/d(feature), same shape as `feature`. */
  gradient: string;
}

/**
 * Grad-CAM's gradient: lowers `spec` for inference into `g` (NHWC input `x`, dynamic batch; weights
 * baked in where given) and derives d(logit `unit`)/d(output of node `nodeId`); `unit` may instead name a
 * [1, units] selector input, the score then being sum(logits * selector) (-1 picks the negative class
 * of one sigmoid unit). Inference samples are
 * independent, so the gradient of the logit summed over the batch is each sample's own. Nodes are
 * lowered as written (not planned), so a node's output is its value after its activation.
 */
export function logitGradient(g: GraphBuilder, spec: ModelSpec, nodeId: string, unit: number | string, weights?: Float32Array[]): LogitGradient {
  const ids = spec.nodes.map((n) => n.id);
  if (!ids.includes(nodeId)) throw new Error(`no node '${nodeId}' in the model; its nodes are: ${ids.join(', ')}`);
  const units = outputUnits(spec);
  if (typeof unit === 'number' && (!Number.isInteger(unit) || unit < 0 || unit >= units)) throw new Error(`unit ${unit} is out of range: the model has ${units} output unit(s)`);
  const { logits } = splitOutputActivation(spec);
  const { tensors, output } = lowerInference(g, spec, logits.nodes.map((n, i) => ({ ...n, owner: i })), weights);
  const feature = tensors.get(nodeId);
  if (feature === undefined) throw new Error(`node '${nodeId}' is the output activation: ask for the node before it`);
  const selector = typeof unit === 'string' ? unit : g.floatConst(Array.from({ length: units }, (_, k) => (k === unit ? 1 : 0)), [1, units]);
  const score = g.reduceSum(g.mul(output.name, selector), [1], false);
  const gradient = gradients(g, score, [feature.name]).get(feature.name);
  if (gradient === undefined) throw new Error(`the output does not depend on node '${nodeId}'`);
  return { logits: output, feature, gradient };
}
