import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params, SizePair, toPair } from '../params.js';
import { paddingParam, type LayerComponent } from './layer.js';

const poolParams = () =>
  Params({
    size: SizePair({ default: 2, description: 'window: n or [height, width]' }),
    strides: Type.Optional(SizePair({ description: 'stride; defaults to the window size' })),
    padding: paddingParam(),
  });

export const maxpool: LayerComponent = component({
  name: 'maxpool',
  summary: '2-D max pooling (Keras MaxPooling2D)',
  params: poolParams(),
  create: (p) => ({ type: 'maxpool', size: toPair(p.size), strides: toPair(p.strides ?? p.size), padding: p.padding }),
});

export const avgpool: LayerComponent = component({
  name: 'avgpool',
  summary: '2-D average pooling (Keras AveragePooling2D)',
  params: poolParams(),
  create: (p) => ({ type: 'avgpool', size: toPair(p.size), strides: toPair(p.strides ?? p.size), padding: p.padding }),
});
