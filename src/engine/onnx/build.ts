import { GraphBuilder } from './graph.js';
import { layerOf } from '../../registry/layers/index.js';
import type { BackwardResult, LowerContext, ParamDecl, TensorRef } from './lowering.js';
import { lossActivation, lowerLoss } from './loss.js';
import type { LossSpec } from '../loss.js';
import { planLayers } from './plan.js';
import type { ModelSpec } from '../../model/spec.js';

/** A weight of the model: tfjs layout, in `model.getWeights()` order (trainable first). */
export interface ParamInfo extends ParamDecl {
  /** Graph input name. */
  name: string;
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

/** Lowers the layers on a scratch graph to learn every layer's input shape: one source of truth for shapes. */
function layerInputShapes(spec: ModelSpec): number[][] {
  const g = new GraphBuilder();
  const ctx: LowerContext = { g, training: false, dropoutMask: noMasks };
  const [h, w, c] = spec.inputShape;
  let x: TensorRef = { name: 'x', shape: [-1, c, h, w] };
  const shapes: number[][] = [];
  for (const layer of spec.layers) {
    shapes.push(x.shape);
    const lowering = layerOf(layer).onnx;
    x = lowering.forward(ctx, layer, x, lowering.params(layer, x.shape).map((p) => p.suffix)).y;
  }
  shapes.push(x.shape);
  return shapes;
}

export function describeParams(spec: ModelSpec): ParamInfo[] {
  const shapes = layerInputShapes(spec);
  const decls = spec.layers.flatMap((layer, i) =>
    layerOf(layer).onnx.params(layer, shapes[i]!).map((d) => ({ ...d, layer: i, id: `${layer.type}${i}_${d.suffix}` })),
  );
  // tfjs's getWeights() lists all trainable weights first, then the non-trainable ones.
  const ordered = [...decls.filter((d) => d.trainable), ...decls.filter((d) => !d.trainable)];
  return ordered.map(({ id, ...d }, k) => ({ ...d, name: `p${k}_${id}` }));
}

export function outputUnits(spec: ModelSpec): number {
  const out = layerInputShapes(spec).pop()!;
  if (out.length !== 2) throw new Error('the model must end with a flat output (dense or global pooling)');
  return out[1]!;
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
  const last = spec.layers[spec.layers.length - 1];
  const head = spec.layers.slice(0, -1);
  if (last?.type === 'activation' && last.activation === want) return { ...spec, layers: head };
  if ((last?.type === 'dense' || last?.type === 'conv2d') && last.activation === want) {
    return { ...spec, layers: [...head, { ...last, activation: 'linear' }] };
  }
  throw new Error(`${loss.name} needs a final ${want} activation`);
}

export function buildTrainGraph(spec: ModelSpec, loss: LossSpec, batch: number): TrainGraph {
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
  let x = nhwcInput(g, spec, batch);
  const target = g.input(IO.y, [batch, units]);
  const sw = g.input(IO.sampleWeights, [batch]);
  for (const p of params) g.input(p.name, p.shape);

  const steps: { owner: number; backward: (dy: string, needDx: boolean) => BackwardResult }[] = [];
  const updates = new Map<number, string[]>();
  for (const { layer, owner } of planLayers(logitsModel(spec, loss).layers)) {
    const lowered = layerOf(layer).onnx.forward(ctx, layer, x, params.filter((p) => p.layer === owner).map((p) => p.name));
    if (lowered.backward === undefined) throw new Error(`${layer.type} has no backward`);
    steps.push({ owner, backward: lowered.backward });
    if (lowered.updates !== undefined) updates.set(owner, lowered.updates);
    x = lowered.y;
  }

  const lowLoss = lowerLoss(g, loss, x.name, batch, units, target, sw);
  g.output(lowLoss.loss, IO.loss, []);
  g.output(lowLoss.predictions, IO.predictions, [batch, units]);

  // Input gradients are only needed down to the first layer that owns trainable weights.
  const firstTrainable = params.find((p) => p.trainable)?.layer ?? Infinity;
  const stop = steps.findIndex((s) => s.owner === firstTrainable);
  const grads = new Map<number, string[]>();
  let dy = lowLoss.dLogits;
  for (let i = steps.length - 1; i >= 0 && i >= stop; i--) {
    const res = steps[i]!.backward(dy, i > stop);
    if (res.grads.length > 0) grads.set(steps[i]!.owner, res.grads);
    if (res.dx !== null) dy = res.dx;
  }

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
  for (const p of params) {
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
  let x = nhwcInput(g, spec, 'N');
  params.forEach((p, i) => {
    const w = weights?.[i];
    if (w === undefined) g.input(p.name, p.shape);
    else g.initializer(p.name, w, p.shape);
  });
  for (const { layer, owner } of planLayers(spec.layers)) {
    x = layerOf(layer).onnx.forward(ctx, layer, x, params.filter((p) => p.layer === owner).map((p) => p.name)).y;
  }
  g.output(x.name, IO.predictions, ['N', outputUnits(spec)]);
  return g.toModel('inference');
}
