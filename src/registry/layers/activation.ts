import { component } from '../component.js';
import { Params } from '../params.js';
import { activationParam, type LayerComponent } from './layer.js';

export const activation: LayerComponent = component({
  name: 'activation',
  summary: 'applies an activation function on its own',
  params: Params({ fn: activationParam('relu') }),
  create: (p) => ({ type: 'activation', activation: p.fn }),
});
