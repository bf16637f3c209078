import { ShapeError } from '../../model/shapes.js';
import type { AddSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { mergeLayer } from './layer.js';

/** Inputs of a merge must agree on `same(a, b)`; the error names both inputs and their shapes. */
export function checkMergeShapes(name: string, inputs: number[][], ids: string[], same: (a: number[], b: number[]) => boolean): void {
  inputs.forEach((shape, i) => {
    if (i > 0 && !same(inputs[0]!, shape)) throw new ShapeError(`${name}: inputs [${inputs[0]!.join(', ')}] (${ids[0]}) and [${shape.join(', ')}] (${ids[i]}) differ`);
  });
}

const sameShape = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export const add = mergeLayer({
  name: 'add',
  summary: 'sums two or more inputs of the same shape (Keras Add): residual connections',
  params: Params({}),
  create: (): AddSpec => ({ type: 'add' }),

  tfjs: (_spec, { tf }) => [tf.layers.add()],

  shape(_spec, inputs, ids) {
    checkMergeShapes('add', inputs, ids, sameShape);
    return { shape: inputs[0]!, params: 0 };
  },

  onnx: {
    params: () => [],
    forward({ g }, _spec, xs) {
      const y = xs.slice(1).reduce((sum, x) => g.add(sum, x.name), xs[0]!.name);
      return { y: { name: y, shape: xs[0]!.shape } };
    },
  },
});
