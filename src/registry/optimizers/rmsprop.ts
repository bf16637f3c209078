import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { lrParam, type OptimizerComponent } from './optimizer.js';

export const rmsprop: OptimizerComponent = component({
  name: 'rmsprop',
  summary: 'RMSProp, with tfjs defaults',
  params: Params({
    lr: lrParam(0.001),
    rho: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.9 }),
    momentum: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0 }),
    epsilon: Type.Number({ exclusiveMinimum: 0, default: 1e-7 }),
  }),
  create: (p) => ({ name: 'rmsprop', ...p }),
});
