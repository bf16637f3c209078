import type { ConcatSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { checkMergeShapes } from './add.js';
import { mergeLayer } from './layer.js';

export const concat = mergeLayer({
  name: 'concat',
  summary: 'joins two or more inputs along the channel axis (Keras Concatenate, axis -1): dense blocks',
  params: Params({}),
  create: (): ConcatSpec => ({ type: 'concat' }),

  tfjs: (_spec, { tf }) => [tf.layers.concatenate({ axis: -1 })],

  shape(_spec, inputs, ids) {
    checkMergeShapes('concat', inputs, ids, (a, b) => a.length === b.length && a.slice(0, -1).every((d, i) => d === b[i]));
    return { shape: [...inputs[0]!.slice(0, -1), inputs.reduce((sum, s) => sum + s.at(-1)!, 0)], params: 0 };
  },

  // Channels are axis 1 of the internal layout, for images (NCHW) and vectors (NF) alike.
  onnx: {
    params: () => [],
    forward({ g }, _spec, xs) {
      const channels = xs.map((x) => x.shape[1]!);
      const shape = [...xs[0]!.shape];
      shape[1] = channels.reduce((a, b) => a + b, 0);
      return { y: { name: g.op('Concat', xs.map((x) => x.name), { axis: 1 }), shape } };
    },
  },
});
