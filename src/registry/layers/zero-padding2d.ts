import { Type } from '@sinclair/typebox';
import { imageInput } from '../../model/shapes.js';
import type { Pair, ZeroPadding2dSpec } from '../../model/spec.js';
import { Params, toPair } from '../params.js';
import { layer } from './layer.js';

const Side = Type.Integer({ minimum: 0 });

export const zeroPadding2d = layer({
  name: 'zero_padding2d',
  summary: 'pads the image with zeros (Keras ZeroPadding2D)',
  params: Params({
    padding: Type.Union([Side, Type.Tuple([Side, Side]), Type.Tuple([Type.Tuple([Side, Side]), Type.Tuple([Side, Side])])], {
      default: 1,
      description: 'n on every side, [height, width] on both sides of each, or [[top, bottom], [left, right]]',
    }),
  }),
  create: (p): ZeroPadding2dSpec => {
    const pad = p.padding;
    const sides: [Pair, Pair] = typeof pad === 'number' ? [[pad, pad], [pad, pad]] : typeof pad[0] === 'number' ? [toPair(pad[0]), toPair(pad[1] as number)] : [toPair(pad[0]), toPair(pad[1] as Pair)];
    return { type: 'zero_padding2d', padding: sides };
  },

  tfjs: (spec, { tf }) => [tf.layers.zeroPadding2d({ padding: spec.padding })],

  shape(spec, [input]) {
    const [h, w, c] = imageInput('zero_padding2d', input!);
    const [[t, b], [l, r]] = spec.padding;
    return { shape: [h + t + b, w + l + r, c], params: 0 };
  },

  onnx: {
    params: () => [],
    forward({ g }, spec, x) {
      const [n, c, h, w] = x.shape as [number, number, number, number];
      const [[t, b], [l, r]] = spec.padding;
      return { y: { name: g.op('Pad', [x.name, g.ints([0, 0, t, l, 0, 0, b, r])]), shape: [n, c, h + t + b, w + l + r] } };
    },
  },
});
