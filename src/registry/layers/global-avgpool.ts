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
      const [n, c, h, w] = x.shape as [number, number, number, number];
      return {
        y: { name: g.reduceMean(x.name, [2, 3], false), shape: [n, c] },
        backward(dy, needDx) {
          if (!needDx) return { dx: null, grads: [] };
          const scaled = g.mul(g.reshape(dy, [-1, c, 1, 1]), g.scalar(1 / (h * w)));
          return { dx: g.op('Expand', [scaled, g.op('Shape', [x.name])]), grads: [] };
        },
      };
    },
  },
});
