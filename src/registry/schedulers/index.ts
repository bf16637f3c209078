import { Registry } from '../registry.js';
import { asha } from './asha.js';
import { median } from './median.js';
import type { SchedulerComponent } from './scheduler.js';

export type { RungStore, Scheduler, SchedulerComponent } from './scheduler.js';
export { MemoryRungs } from './scheduler.js';

export const schedulers = new Registry<SchedulerComponent>('scheduler');
for (const s of [asha, median]) schedulers.register(s);
