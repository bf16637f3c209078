/**
 * What every queue test file sets up: a real redis-server for the file, an empty queue and a
 * fresh tracking folder per test, and real `exp worker` processes, killed after each test.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { FileStore, type Run } from '../../src/tracking/index.js';
import { ensureBuilt, exp, startExp } from '../cli/spawn-exp.js';
import { TempDir } from '../record/fixtures.js';
import { RedisServer } from '../helpers/redis-server.js';

// Small so a test sees a killed worker's trial handed on within seconds (defaults: 30 s each).
export const TIMINGS = { EXP_QUEUE_LOCK_MS: '5000', EXP_QUEUE_STALLED_MS: '2000', EXP_QUEUE_BACKOFF_MS: '200' };

export interface QueueFixture {
  readonly redis: RedisServer;
  readonly dir: TempDir;
  /** Starts `exp worker --queue` (this file's Redis unless `url`), killed after the test. */
  worker(name: string, url?: string): ReturnType<typeof startExp>;
  /** `exp run ... --queue` into the test's tracking folder. */
  run(args: string[]): ReturnType<typeof exp>;
  runsOf(experiment: string): Promise<Run[]>;
}

/** Registers the hooks in the calling describe block. */
export function useQueueFixture(tempPrefix: string): QueueFixture {
  let redis: RedisServer;
  let dir: TempDir;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    ensureBuilt();
    redis = await RedisServer.start();
  });
  afterAll(async () => redis?.cleanup());
  beforeEach(() => {
    dir = new TempDir(tempPrefix);
    spawnSync('redis-cli', ['-p', String(redis.port), 'flushall']);
  });
  afterEach(() => {
    for (const w of workers.splice(0)) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    dir.cleanup();
  });
  return {
    get redis() {
      return redis;
    },
    get dir() {
      return dir;
    },
    worker(name, url = redis.url) {
      const w = startExp(['worker', '--queue', url, '--name', name], { env: TIMINGS });
      workers.push(w.child);
      return w;
    },
    run: (args) => exp(['run', ...args, '--queue', redis.url, '--tracking-uri', dir.path('runs'), '--shared-store'], { env: TIMINGS }),
    async runsOf(experiment) {
      const store = new FileStore(dir.path('runs'));
      const found = await store.getExperimentByName(experiment);
      return found ? store.searchRuns([found.experimentId]) : [];
    },
  };
}
