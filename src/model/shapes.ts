import type { Padding, Pair } from './spec.js';

/** A layer that cannot take its input's shape; summarize names the node. */
export class ShapeError extends Error {}

/** Output size of a window op along one axis, with TensorFlow's 'same'/'valid' rules. */
function windowOut(size: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** [height, width] after a window op. */
export function spatial([h, w]: number[], kernel: Pair, strides: Pair, padding: Padding): [number, number] {
  return [windowOut(h!, kernel[0], strides[0], padding), windowOut(w!, kernel[1], strides[1], padding)];
}

/** An image input's [height, width, channels], or a ShapeError naming the layer. */
export function imageInput(layer: string, shape: number[]): [number, number, number] {
  if (shape.length !== 3) throw new ShapeError(`${layer} needs an image input [height, width, channels], got [${shape.join(', ')}]`);
  return shape as [number, number, number];
}

/** Parameters of a kernel plus an optional bias. */
export const kernelParams = (kernel: number, bias: number | false): number => kernel + (bias === false ? 0 : bias);
