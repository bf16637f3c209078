import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import type { ScheduleComponent } from './schedule.js';

export const step: ScheduleComponent = component({
  name: 'step',
  summary: 'multiplies the learning rate by gamma every step_size epochs (PyTorch StepLR)',
  params: Params({
    step_size: Type.Integer({ minimum: 1, default: 10, description: 'epochs between decays' }),
    gamma: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.1, description: 'multiplier at each decay' }),
  }),
  create: (p, ctx) => (s) => ctx.lr * p.gamma ** Math.floor(Math.floor(s / ctx.stepsPerEpoch) / p.step_size),
});
