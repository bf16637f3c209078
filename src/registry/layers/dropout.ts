import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import type { LayerComponent } from './layer.js';

export const dropout: LayerComponent = component({
  name: 'dropout',
  summary: 'randomly zeroes inputs while training (inverted dropout, Keras Dropout)',
  params: Params({
    rate: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'fraction of inputs dropped' }),
  }),
  create: (p) => ({ type: 'dropout', rate: p.rate }),
});
