import { component } from '../component.js';
import { Params } from '../params.js';
import type { ScheduleComponent } from './schedule.js';

export const constant: ScheduleComponent = component({
  name: 'constant',
  summary: "the optimizer's learning rate at every step",
  params: Params({}),
  create: (_p, ctx) => () => ctx.lr,
});
