import type { ConfigIssue } from '../config/issues.js';
import { layerOf } from '../registry/layers/index.js';
import { forwardFlops, TRAINING_FLOPS_PER_FORWARD } from './flops.js';
import { ShapeError } from './shapes.js';
import { MODEL_INPUT, type LayerSpec, type ModelSpec } from './spec.js';

export interface NodeSummary {
  id: string;
  name: string;
  inputs: string[];
  outputShape: number[];
  params: number;
  /** Forward FLOPs per image (see flops.ts). */
  flops: number;
}

function describe(layer: LayerSpec): string {
  switch (layer.type) {
    case 'conv2d':
    case 'separable_conv2d':
      return `${layer.type} ${layer.filters} ${layer.kernel.join('x')}${layer.strides.some((s) => s > 1) ? ` /${layer.strides.join('x')}` : ''} ${layer.padding} ${layer.activation}`;
    case 'depthwise_conv2d':
      return `depthwise_conv2d x${layer.depthMultiplier} ${layer.kernel.join('x')}${layer.strides.some((s) => s > 1) ? ` /${layer.strides.join('x')}` : ''} ${layer.padding} ${layer.activation}`;
    case 'maxpool':
    case 'avgpool':
      return `${layer.type} ${layer.size.join('x')}`;
    case 'dense':
      return `dense ${layer.units} ${layer.activation}`;
    case 'dropout':
      return `dropout ${layer.rate}`;
    case 'activation':
      return layer.activation;
    default:
      return layer.type;
  }
}

/** A node that cannot take its inputs' shapes (too small an image, dense on an image, add of unequal shapes): which node, and why. */
export class ModelShapeError extends Error {
  constructor(
    message: string,
    readonly nodeIndex: number,
    readonly where: ConfigIssue['where'],
  ) {
    super(message);
  }
}

/** Output shapes (NHWC, no batch axis), parameter counts and forward FLOPs per node, checking that every node gets valid inputs. */
export function summarize(model: ModelSpec): { layers: NodeSummary[]; totalParams: number; totalFlops: number } {
  const shapes = new Map<string, number[]>([[MODEL_INPUT, [...model.inputShape]]]);
  const out: NodeSummary[] = [];
  for (const [index, node] of model.nodes.entries()) {
    const inputs = node.inputs.map((id) => shapes.get(id)!);
    let result: { shape: number[]; params: number };
    try {
      result = layerOf(node.layer).shape(node.layer, inputs, node.inputs);
    } catch (e) {
      if (e instanceof ShapeError) throw new ModelShapeError(e.message, index, node.where);
      throw e;
    }
    if (result.shape.some((d) => d < 1)) throw new ModelShapeError(`${describe(node.layer)} shrinks its input to [${result.shape.join(', ')}]: the image is too small for this model`, index, node.where);
    shapes.set(node.id, result.shape);
    out.push({ id: node.id, name: describe(node.layer), inputs: node.inputs, outputShape: result.shape, params: result.params, flops: forwardFlops(node.layer, inputs, result.shape) });
  }
  return { layers: out, totalParams: out.reduce((a, l) => a + l.params, 0), totalFlops: out.reduce((a, l) => a + l.flops, 0) };
}

const mflops = (flops: number): string => (flops === 0 ? '0' : (flops / 1e6).toFixed(2));
const gflops = (flops: number): string => (flops / 1e9).toFixed(3);

/** One row per node; a chain shows no inputs column (each layer takes the one before). */
export function formatSummary(model: ModelSpec): string {
  const { layers, totalParams, totalFlops } = summarize(model);
  const isChain = layers.every((l, i) => l.inputs.length === 1 && l.inputs[0] === (i === 0 ? MODEL_INPUT : layers[i - 1]!.id));
  const head = isChain ? ['layer', 'output shape', 'params', 'MFLOPs'] : ['node', 'layer', 'inputs', 'output shape', 'params', 'MFLOPs'];
  const numeric = 2;
  const row = (l: NodeSummary | undefined): string[] => {
    const shape = `[${(l?.outputShape ?? model.inputShape).join(', ')}]`;
    const params = (l?.params ?? 0).toLocaleString('en-US');
    const flops = mflops(l?.flops ?? 0);
    if (isChain) return [l?.name ?? 'input', shape, params, flops];
    return [l?.id ?? MODEL_INPUT, l?.name ?? '', l?.inputs.join(', ') ?? '', shape, params, flops];
  };
  const rows = [head, row(undefined), ...layers.map(row)];
  const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => `  ${r.map((cell, c) => (c >= r.length - numeric ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ')}`);
  return [
    ...lines,
    `  total params: ${totalParams.toLocaleString('en-US')}`,
    `  forward FLOPs per image: ${gflops(totalFlops)} G (a multiply-add is 2); a training step ~${TRAINING_FLOPS_PER_FORWARD}x: ${gflops(TRAINING_FLOPS_PER_FORWARD * totalFlops)} G`,
  ].join('\n');
}
