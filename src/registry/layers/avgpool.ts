import { window2d } from '../../engine/onnx/padding.js';
import type { AvgPoolSpec } from '../../model/spec.js';
import { toPair } from '../params.js';
import { layer, poolParams } from './layer.js';
import { imageInput, spatial } from '../../model/shapes.js';

export const avgpool = layer({
  name: 'avgpool',
  summary: '2-D average pooling (Keras AveragePooling2D)',
  params: poolParams(),
  create: (p): AvgPoolSpec => ({ type: 'avgpool', size: toPair(p.size), strides: toPair(p.strides ?? p.size), padding: p.padding }),

  tfjs: (spec, { tf }) => [tf.layers.averagePooling2d({ poolSize: spec.size, strides: spec.strides, padding: spec.padding })],

  shape: (spec, [input]) => ({ shape: [...spatial(imageInput(spec.type, input!), spec.size, spec.strides, spec.padding), input![2]!], params: 0 }),

  onnx: {
    params: () => [],

    forward({ g }, spec, x) {
      const [n, c, h, w] = x.shape as [number, number, number, number];
      const win = window2d(h, w, spec.size, spec.strides, spec.padding);
      const attrs = { kernel_shape: spec.size, strides: spec.strides, pads: win.pads };
      // Forward excludes padding from the average (tfjs and ONNX agree).
      const y = g.op('AveragePool', [x.name], { ...attrs, count_include_pad: 0 });
      return { y: { name: y, shape: [n, c, win.outH, win.outW] } };
    },
  },
});
