import type { FlattenSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { layer } from './layer.js';

export const flatten = layer({
  name: 'flatten',
  summary: 'flattens height, width and channels into one axis (NHWC order, like Keras)',
  params: Params({}),
  create: (): FlattenSpec => ({ type: 'flatten' }),

  tfjs: (_spec, { tf }) => [tf.layers.flatten()],

  shape: (_spec, [input]) => ({ shape: [input!.reduce((a, b) => a * b, 1)], params: 0 }),

  onnx: {
    params: () => [],

    forward({ g }, _spec, x) {
      if (x.shape.length === 2) return { y: x };
      const [n, c, h, w] = x.shape as [number, number, number, number];
      // tfjs flattens NHWC, so go back to channels-last before flattening.
      const nhwc = c === 1 ? x.name : g.transpose(x.name, [0, 2, 3, 1]);
      return { y: { name: g.op('Flatten', [nhwc], { axis: 1 }), shape: [n, h * w * c] } };
    },
  },
});
