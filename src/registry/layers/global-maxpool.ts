import type { GlobalMaxPoolSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { layer } from './layer.js';
import { imageInput } from '../../model/shapes.js';

export const globalMaxpool = layer({
  name: 'global_maxpool',
  summary: 'max over height and width (Keras GlobalMaxPooling2D)',
  params: Params({}),
  create: (): GlobalMaxPoolSpec => ({ type: 'global_maxpool' }),

  tfjs: (_spec, { tf }) => [tf.layers.globalMaxPooling2d({})],

  shape: (_spec, [input]) => ({ shape: [imageInput('global_maxpool', input!)[2]], params: 0 }),

  onnx: {
    params: () => [],

    forward({ g }, _spec, x) {
      const [n, c] = x.shape as [number, number];
      const yKeep = g.op('ReduceMax', [x.name], { axes: [2, 3], keepdims: 1 });
      return { y: { name: g.reshape(yKeep, [-1, c]), shape: [n, c] } };
    },
  },
});
