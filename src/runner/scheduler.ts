import { normalizeEntry } from '../config/entries.js';
import { schedulers, type RungStore, type Scheduler } from '../registry/schedulers/index.js';

/** The sweep's `scheduler:` entry (validated, defaults filled in) as a scheduler keeping its rungs in `rungs`. */
export function createScheduler(entry: unknown, rungs: RungStore): Scheduler {
  const { name, params } = normalizeEntry(entry);
  return schedulers.get(name).create(params, rungs);
}
