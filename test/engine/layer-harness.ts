// Runs one layer lowering (forward, and the backward derived from its ops) as its own ONNX graph, in tfjs layouts at the boundary.
import * as ort from 'onnxruntime-node';
import { backprop } from '../../src/engine/onnx/autodiff.js';
import { GraphBuilder } from '../../src/engine/onnx/graph.js';
import { layerOf } from '../../src/registry/layers/index.js';
import type { LowerContext } from '../../src/engine/onnx/lowering.js';
import type { LayerSpec } from '../../src/model/spec.js';

export interface LayerRun {
  y: Float32Array;
  yShape: number[];
  dx: Float32Array;
  grads: Float32Array[];
  updates: Float32Array[];
}

const toInternal = (g: GraphBuilder, name: string, rank: number): string => (rank === 4 ? g.transpose(name, [0, 3, 1, 2]) : name);
const toTfjs = (g: GraphBuilder, name: string, rank: number): string => (rank === 4 ? g.transpose(name, [0, 2, 3, 1]) : name);
const nchw = (s: number[]): number[] => (s.length === 4 ? [s[0]!, s[3]!, s[1]!, s[2]!] : s);
const nhwc = (s: number[]): number[] => (s.length === 4 ? [s[0]!, s[2]!, s[3]!, s[1]!] : s);

/** xShape/dy are tfjs layout; params are tfjs layout in declaration order; masks feed dropout. */
export async function runLayer(spec: LayerSpec, xShape: number[], x: Float32Array, params: Float32Array[], dyOf: (yShape: number[]) => Float32Array, mask?: Float32Array): Promise<LayerRun> {
  const g = new GraphBuilder();
  const lowering = layerOf(spec).onnx;
  const decls = lowering.params(spec, [nchw(xShape)]);
  const ctx: LowerContext = { g, training: true, dropoutMask: (shape) => g.input('mask', shape) };
  const xIn = g.input('x', xShape);
  const pNames = decls.map((d, i) => g.input(`p${i}`, d.shape));
  const lowered = lowering.forward(ctx, spec, [{ name: toInternal(g, xIn, xShape.length), shape: nchw(xShape) }], pNames);
  const yShape = nhwc(lowered.y.shape);
  g.output(toTfjs(g, lowered.y.name, yShape.length), 'y', yShape);
  const dyIn = g.input('dy', yShape);
  const trainable = decls.flatMap((d, i) => (d.trainable ? [{ ...d, name: pNames[i]! }] : []));
  const back = backprop(g, new Map([[lowered.y.name, toInternal(g, dyIn, yShape.length)]]), [xIn, ...trainable.map((p) => p.name)]);
  const gradOf = (name: string): string => {
    const grad = back.get(name);
    if (grad === undefined) throw new Error(`no gradient for ${name}`);
    return grad;
  };
  g.output(gradOf(xIn), 'dx', xShape);
  trainable.forEach((p, i) => g.output(gradOf(p.name), `g${i}`, p.shape));
  (lowered.updates ?? []).forEach((u, i) => g.output(u, `u${i}`, decls.filter((d) => !d.trainable)[i]!.shape));

  const session = await ort.InferenceSession.create(g.toModel('layer'));
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', x, xShape),
    dy: new ort.Tensor('float32', dyOf(yShape), yShape),
  };
  decls.forEach((d, i) => (feeds[`p${i}`] = new ort.Tensor('float32', params[i]!, d.shape)));
  if (mask !== undefined) feeds['mask'] = new ort.Tensor('float32', mask, nchw(xShape));
  const out = await session.run(feeds);
  await session.release();
  const get = (name: string): Float32Array => {
    const data = out[name]?.data;
    if (!(data instanceof Float32Array)) throw new Error(`no output ${name}`);
    return data;
  };
  return {
    y: get('y'),
    yShape,
    dx: get('dx'),
    grads: trainable.map((_, i) => get(`g${i}`)),
    updates: (lowered.updates ?? []).map((_, i) => get(`u${i}`)),
  };
}
