import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { activationParam, type LayerComponent } from './layer.js';

export const dense: LayerComponent = component({
  name: 'dense',
  summary: 'fully connected layer (Keras Dense)',
  params: Params({
    units: Type.Integer({ minimum: 1, description: 'number of outputs' }),
    activation: activationParam('linear'),
    bias: Type.Boolean({ default: true, description: 'add a learned bias' }),
  }),
  create: (p) => ({ type: 'dense', units: p.units, activation: p.activation, useBias: p.bias }),
});
