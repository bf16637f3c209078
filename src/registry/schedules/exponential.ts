import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import type { ScheduleComponent } from './schedule.js';

export const exponential: ScheduleComponent = component({
  name: 'exponential',
  summary: 'lr * gamma^(epochs done), decayed smoothly at every step (gamma per epoch)',
  params: Params({
    gamma: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.95, description: 'multiplier per epoch' }),
  }),
  create: (p, ctx) => (s) => ctx.lr * p.gamma ** (s / ctx.stepsPerEpoch),
});
