import type { LayerSpec, ModelSpec, Pair } from './spec.js';

export interface LayerSummary {
  name: string;
  outputShape: number[];
  params: number;
}

/** Output size of a window op along one axis, with TensorFlow's 'same'/'valid' rules. */
function windowOut(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

function spatial([h, w]: number[], kernel: Pair, strides: Pair, padding: 'same' | 'valid'): [number, number] {
  return [windowOut(h!, kernel[0], strides[0], padding), windowOut(w!, kernel[1], strides[1], padding)];
}

function describe(layer: LayerSpec): string {
  switch (layer.type) {
    case 'conv2d':
      return `conv2d ${layer.filters} ${layer.kernel.join('x')}${layer.strides.some((s) => s > 1) ? ` /${layer.strides.join('x')}` : ''} ${layer.padding} ${layer.activation}`;
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

/** A layer that cannot take its input's shape (too small an image, dense on an image): which layer, and why. */
export class ModelShapeError extends Error {
  constructor(
    message: string,
    readonly layerIndex: number,
  ) {
    super(message);
  }
}

/** Output shapes and parameter counts per layer, checking that every layer gets a valid input. */
export function summarize(model: ModelSpec): { layers: LayerSummary[]; totalParams: number } {
  let shape: number[] = [...model.inputShape];
  const out: LayerSummary[] = [];
  for (const [index, layer] of model.layers.entries()) {
    let params = 0;
    const channels = shape.at(-1)!;
    switch (layer.type) {
      case 'conv2d':
        shape = [...spatial(shape, layer.kernel, layer.strides, layer.padding), layer.filters];
        params = layer.kernel[0] * layer.kernel[1] * channels * layer.filters + (layer.useBias ? layer.filters : 0);
        break;
      case 'maxpool':
      case 'avgpool':
        shape = [...spatial(shape, layer.size, layer.strides, layer.padding), channels];
        break;
      case 'global_avgpool':
      case 'global_maxpool':
        shape = [channels];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        if (shape.length !== 1) throw new ModelShapeError(`dense needs a flat input, got shape [${shape.join(', ')}]: add flatten or global pooling before it`, index);
        params = channels * layer.units + (layer.useBias ? layer.units : 0);
        shape = [layer.units];
        break;
      case 'batchnorm':
        params = 4 * channels;
        break;
      case 'dropout':
      case 'activation':
        break;
    }
    if (shape.some((d) => d < 1)) throw new ModelShapeError(`${describe(layer)} shrinks its input to [${shape.join(', ')}]: the image is too small for this model`, index);
    out.push({ name: describe(layer), outputShape: shape, params });
  }
  return { layers: out, totalParams: out.reduce((a, l) => a + l.params, 0) };
}

export function formatSummary(model: ModelSpec): string {
  const { layers, totalParams } = summarize(model);
  const rows = [['layer', 'output shape', 'params'], ['input', `[${model.inputShape.join(', ')}]`, '0'], ...layers.map((l) => [l.name, `[${l.outputShape.join(', ')}]`, l.params.toLocaleString('en-US')])];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}`);
  return [...lines, `  total params: ${totalParams.toLocaleString('en-US')}`].join('\n');
}
