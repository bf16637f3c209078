import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { lrParam, type OptimizerComponent } from './optimizer.js';

export const sgd: OptimizerComponent = component({
  name: 'sgd',
  summary: 'stochastic gradient descent, optionally with (Nesterov) momentum',
  params: Params({
    lr: lrParam(0.01),
    momentum: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0 }),
    nesterov: Type.Boolean({ default: false }),
  }),
  create: (p) => ({ name: 'sgd', ...p }),
});
