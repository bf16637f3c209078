import { GraphBuilder } from './graph.js';
import { layerOf } from '../../registry/layers/index.js';
import type { LowerContext, LoweredNode, ParamDecl, TensorRef } from './lowering.js';
import { lossActivation, lowerLoss } from './loss.js';
import type { LossSpec } from '../loss.js';
import { planNodes, type PlannedNode } from './plan.js';
import { summarize } from '../../model/summary.js';
import { MODEL_INPUT, type ModelSpec } from '../../model/spec.js';

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

/** Splits off the output activation that the loss fuses with, leaving a model that ends in logits. */
function logitsModel(spec: ModelSpec, loss: LossSpec): ModelSpec {
  const want = lossActivation(loss);
  const last = spec.nodes.at(-1)!;
  const head = spec.nodes.slice(0, -1);
  const { layer } = last;
  // Every node leads to the output (resolve refuses unused ids), so the activation's input is the node before it.
  if (layer.type === 'activation' && layer.activation === want) return { ...spec, nodes: head };
  if ((layer.type === 'dense' || layer.type === 'conv2d') && layer.activation === want) {
    return { ...spec, nodes: [...head, { ...last, layer: { ...layer, activation: 'linear' } }] };
  }
  throw new Error(`${loss.name} needs a final ${want} activation`);
}

interface LoweredGraph {
  output: TensorRef;
  /** Per planned node: its lowering, inputs and owner, in topological order. */
  steps: { node: PlannedNode; lowered: LoweredNode }[];
}

const NONE: ReadonlySet<number> = new Set();

/** Lowers the planned nodes in order; each takes the tensors of its input ids. */
function lowerNodes(ctx: LowerContext, x: TensorRef, nodes: PlannedNode[], params: ParamInfo[], frozen: ReadonlySet<number> = NONE): LoweredGraph {
  const tensors = new Map<string, TensorRef>([[MODEL_INPUT, x]]);
  const steps: LoweredGraph['steps'] = [];
  // A frozen node runs as at inference: batch norm on its moving statistics, no dropout.
  const inference = { ...ctx, training: false };
  for (const node of nodes) {
    const owned = params.filter((p) => p.layer === node.owner).map((p) => p.name);
    const lowered = layerOf(node.layer).onnx.forward(frozen.has(node.owner) ? inference : ctx, node.layer, node.inputs.map((id) => tensors.get(id)!), owned);
    tensors.set(node.id, lowered.y);
    steps.push({ node, lowered });
  }
  return { output: steps.at(-1)!.lowered.y, steps };
}

/**
 * The backward pass of a lowered graph: nodes in reverse topological order, each handed the sum of
 * the gradients its consumers sent back, and asked for input gradients only where an input leads
 * back to a trainable weight. Returns each owner node's weight gradients.
 */
function backward(g: GraphBuilder, steps: LoweredGraph['steps'], params: ParamInfo[], dOutput: string, frozen: ReadonlySet<number>): Map<number, string[]> {
  const owners = new Set(params.filter((p) => p.trainable && !frozen.has(p.layer)).map((p) => p.layer));
  const needsGrad = new Set<string>();
  for (const { node } of steps) if (owners.has(node.owner) || node.inputs.some((i) => needsGrad.has(i))) needsGrad.add(node.id);
  const dys = new Map<string, string>([[steps.at(-1)!.node.id, dOutput]]);
  const grads = new Map<number, string[]>();
  for (let i = steps.length - 1; i >= 0; i--) {
    const { node, lowered } = steps[i]!;
    const dy = dys.get(node.id);
    if (dy === undefined || !needsGrad.has(node.id)) continue;
    if (lowered.backward === undefined) throw new Error(`${node.layer.type} has no backward`);
    const res = lowered.backward(dy, node.inputs.map((id) => needsGrad.has(id)));
    if (res.grads.length > 0) grads.set(node.owner, res.grads);
    res.dxs.forEach((dx, k) => {
      if (dx === null) return;
      const id = node.inputs[k]!;
      const sum = dys.get(id);
      dys.set(id, sum === undefined ? dx : g.add(sum, dx));
    });
  }
  return grads;
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

  const { output, steps } = lowerNodes(ctx, x, planNodes(logitsModel(spec, loss).nodes), params, frozen);
  const updates = new Map<number, string[]>();
  for (const { node, lowered } of steps) if (lowered.updates !== undefined) updates.set(node.owner, lowered.updates);

  const lowLoss = lowerLoss(g, loss, output.name, batch, units, target, sw);
  g.output(lowLoss.loss, IO.loss, []);
  g.output(lowLoss.predictions, IO.predictions, [batch, units]);
  const grads = backward(g, steps, params, lowLoss.dLogits, frozen);

  // Outputs follow params order; within a layer, trainable grads and state updates keep declaration order.
  const seen = new Map<string, number>();
  const nextOf = (kind: string, layer: number): number => {
    const key = `${kind}${layer}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    return k;
  };
  const gradOutputs: string[] = [];
  const updateOutputs: string[] = [];
  for (const p of params.filter((q) => !frozen.has(q.layer))) {
    const source = p.trainable ? grads.get(p.layer) : updates.get(p.layer);
    const tensor = source?.[nextOf(p.trainable ? 'g' : 'u', p.layer)];
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
  const params = describeParams(spec);
  const g = new GraphBuilder();
  const ctx: LowerContext = { g, training: false, dropoutMask: noMasks };
  const x = nhwcInput(g, spec, 'N');
  params.forEach((p, i) => {
    const w = weights?.[i];
    if (w === undefined) g.input(p.name, p.shape);
    else g.initializer(p.name, w, p.shape);
  });
  const { output } = lowerNodes(ctx, x, planNodes(spec.nodes), params);
  g.output(output.name, IO.predictions, ['N', outputUnits(spec)]);
  return g.toModel('inference');
}
