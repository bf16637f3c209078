import type { GlobalAvgPoolSpec } from '../../model/spec.js';
import { Params } from '../params.js';
import { layer } from './layer.js';
import { imageInput } from '../../model/shapes.js';

export const globalAvgpool = layer({
  name: 'global_avgpool',
  summary: 'mean over height and width (Keras GlobalAveragePooling2D)',
  params: Params({}),
  create: (): GlobalAvgPoolSpec => ({ type: 'global_avgpool' }),

  tfjs: (_spec, { tf }) => [tf.layers.globalAveragePooling2d({})],

  shape: (_spec, [input]) => ({ shape: [imageInput('global_avgpool', input!)[2]], params: 0 }),

  onnx: {
    params: () => [],

    forward({ g }, _spec, x) {
      const [n, c] = x.shape as [number, number];
      return { y: { name: g.reduceMean(x.name, [2, 3], false), shape: [n, c] } };
    },
  },
});
