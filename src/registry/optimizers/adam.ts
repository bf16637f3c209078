import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { lrParam, type OptimizerComponent } from './optimizer.js';

export const adam: OptimizerComponent = component({
  name: 'adam',
  summary: 'Adam (Kingma & Ba), with tfjs defaults',
  params: Params({
    lr: lrParam(0.001),
    beta1: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.9 }),
    beta2: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.999 }),
    epsilon: Type.Number({ exclusiveMinimum: 0, default: 1e-7 }),
  }),
  create: (p) => ({ name: 'adam', ...p }),
});
