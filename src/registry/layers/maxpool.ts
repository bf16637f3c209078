import { window2d } from '../../engine/onnx/padding.js';
import type { MaxPoolSpec } from '../../model/spec.js';
import { toPair } from '../params.js';
import { layer, poolParams } from './layer.js';
import { imageInput, spatial } from '../../model/shapes.js';

export const maxpool = layer({
  name: 'maxpool',
  summary: '2-D max pooling (Keras MaxPooling2D)',
  params: poolParams(),
  create: (p): MaxPoolSpec => ({ type: 'maxpool', size: toPair(p.size), strides: toPair(p.strides ?? p.size), padding: p.padding }),

  tfjs: (spec, { tf }) => [tf.layers.maxPooling2d({ poolSize: spec.size, strides: spec.strides, padding: spec.padding })],

  shape: (spec, [input]) => ({ shape: [...spatial(imageInput(spec.type, input!), spec.size, spec.strides, spec.padding), input![2]!], params: 0 }),

  onnx: {
    params: () => [],

    forward({ g, training }, spec, x) {
      const [n, c, h, w] = x.shape as [number, number, number, number];
      const win = window2d(h, w, spec.size, spec.strides, spec.padding);
      const attrs = { kernel_shape: spec.size, strides: spec.strides, pads: win.pads };
      const shape = [n, c, win.outH, win.outW];
      // Training graphs keep the argmax indices for the gradient (gradients are derived: autodiff.ts). ORT
      // computes them in a generic kernel (cnn2: ~1/3 of the step), yet every indices-free gradient tried
      // (masks from strided slices, SpaceToDepth, upsampled maxima) cost as much or routed ties unlike tfjs:
      // docs/performance.md, "MaxPool and batch norm".
      if (!training) return { y: { name: g.op('MaxPool', [x.name], attrs), shape } };
      return { y: { name: g.opMulti('MaxPool', [x.name], 2, attrs)[0]!, shape } };
    },
  },
});
