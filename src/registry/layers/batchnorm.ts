import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import type { LayerComponent } from './layer.js';

export const batchnorm: LayerComponent = component({
  name: 'batchnorm',
  summary: 'batch normalisation over channels with running statistics (Keras BatchNormalization)',
  params: Params({
    momentum: Type.Number({ minimum: 0, maximum: 1, default: 0.99, description: 'running statistics momentum' }),
    epsilon: Type.Number({ exclusiveMinimum: 0, default: 0.001, description: 'added to the variance' }),
  }),
  create: (p) => ({ type: 'batchnorm', momentum: p.momentum, epsilon: p.epsilon }),
});
