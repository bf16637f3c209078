import { join } from 'node:path';

/** Where runs logged while a server is unreachable wait for `exp sync` (its own file: `exp --help` names it without loading the stores). */
export const DEFAULT_OFFLINE_DIR = join('.exp', 'offline-runs');
