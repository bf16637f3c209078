import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { lrParam, tfjsWithDecay, type OptimizerComponent } from './optimizer.js';

export const rmsprop: OptimizerComponent = {
  // The onnx engine has no RMSProp update: a run with it trains on tfjs.
  onnx: false,
  ...component({
    name: 'rmsprop',
    summary: 'RMSProp, with tfjs defaults (tfjs engine only)',
    params: Params({
      lr: lrParam(0.001),
      rho: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.9 }),
      momentum: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0 }),
      epsilon: Type.Number({ exclusiveMinimum: 0, default: 1e-7 }),
    }),
    create: (p) => ({ name: 'rmsprop', lr: p.lr, tfjs: (tf) => tfjsWithDecay(tf, tf.train.rmsprop(p.lr, p.rho, p.momentum, p.epsilon), 0, 'l2') }),
  }),
};
