import type { TensorRef } from '../../engine/onnx/lowering.js';
import { ShapeError } from '../../model/shapes.js';
import type { MultiplySpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { checkMergeShapes } from './add.js';
import { mergeLayer } from './layer.js';

export const multiply = mergeLayer({
  name: 'multiply',
  summary: 'multiplies two inputs elementwise; a [C] gate scales every position of an [H, W, C] image (squeeze-excite)',
  params: Params({}),
  create: (): MultiplySpec => ({ type: 'multiply' }),

  tfjs: (_spec, { tf }) => [tf.layers.multiply()],

  shape(_spec, inputs, ids) {
    if (inputs.length !== 2) throw new ShapeError(`multiply takes two inputs, got ${inputs.length} (${ids.join(', ')})`);
    const [a, b] = inputs as [number[], number[]];
    // A gate of one value per channel broadcasts over an image with that many channels.
    const gated = (img: number[], gate: number[]) => img.length === 3 && gate.length === 1 && gate[0] === img[2];
    if (gated(a, b) || gated(b, a)) return { shape: a.length === 3 ? a : b, params: 0 };
    checkMergeShapes('multiply', inputs, ids, (p, q) => p.length === q.length && p.every((d, i) => d === q[i]));
    return { shape: a, params: 0 };
  },

  onnx: {
    params: () => [],
    forward({ g }, _spec, xs) {
      const [a, b] = xs as [TensorRef, TensorRef];
      // A gate (an [N, C] vector beside an NCHW image) is viewed as [N, C, 1, 1].
      const isGate = (v: TensorRef, peer: TensorRef): boolean => v.shape.length === 2 && peer.shape.length === 4;
      const view = (v: TensorRef, peer: TensorRef): string => (isGate(v, peer) ? g.reshape(v.name, [-1, v.shape[1]!, 1, 1]) : v.name);
      const [av, bv] = [view(a, b), view(b, a)];
      return { y: { name: g.mul(av, bv), shape: a.shape.length >= b.shape.length ? a.shape : b.shape } };
    },
  },
});
