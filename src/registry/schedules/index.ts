import { Registry } from '../registry.js';
import { constant } from './constant.js';
import { cosine } from './cosine.js';
import { exponential } from './exponential.js';
import { oneCycle } from './one-cycle.js';
import type { ScheduleComponent } from './schedule.js';
import { step } from './step.js';

export type { Schedule, ScheduleComponent, ScheduleContext } from './schedule.js';

export const schedules = new Registry<ScheduleComponent>('schedule');
for (const s of [constant, step, exponential, cosine, oneCycle]) schedules.register(s);
