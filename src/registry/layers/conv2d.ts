import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params, SizePair, toPair } from '../params.js';
import { activationParam, paddingParam, type LayerComponent } from './layer.js';

export const conv2d: LayerComponent = component({
  name: 'conv2d',
  summary: '2-D convolution (Keras Conv2D)',
  params: Params({
    filters: Type.Integer({ minimum: 1, description: 'number of output channels' }),
    kernel: SizePair({ default: 3, description: 'kernel size: n or [height, width]' }),
    strides: SizePair({ default: 1, description: 'stride: n or [height, width]' }),
    padding: paddingParam(),
    activation: activationParam('linear'),
    bias: Type.Boolean({ default: true, description: 'add a learned bias' }),
  }),
  create: (p) => ({
    type: 'conv2d',
    filters: p.filters,
    kernel: toPair(p.kernel),
    strides: toPair(p.strides),
    padding: p.padding,
    activation: p.activation,
    useBias: p.bias,
  }),
});
