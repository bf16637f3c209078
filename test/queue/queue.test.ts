/**
 * Trials across real `exp worker` processes on a real redis-server: a sweep finished by two
 * workers, duplicate enqueue, Redis unreachable, a failing trial retried then FAILED, Redis
 * restarted mid-sweep, a worker SIGKILLed or stopped mid-trial and its trial resumed elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../src/tracking/index.js';
import { exp, stackLines, waitFor } from '../cli/spawn-exp.js';
import { SAMPLE, tinyYaml } from '../record/fixtures.js';
import { redisInstalled, SKIP_MESSAGE } from '../helpers/redis-server.js';
import { useQueueFixture } from './queue-fixture.js';

if (!redisInstalled) console.warn(SKIP_MESSAGE);

describe.skipIf(!redisInstalled)('exp run --queue with exp worker', () => {
  const q = useQueueFixture('exp-queue-');
  const { worker, run, runsOf } = q;
  /** The run's status once it is `expected`, or whatever it is after 20 s. */
  const statusOf = async (runId: string, expected: string): Promise<string> => {
    const store = new FileStore(q.dir.path('runs'));
    for (let i = 0; i < 100; i++) {
      const { status } = (await store.getRun(runId)).info;
      if (status === expected) return status;
      await new Promise((r) => setTimeout(r, 200));
    }
    return (await store.getRun(runId)).info.status;
  };
  const sweep = (experiment: string, epochs = 1, extra = '') =>
    q.dir.write(`${experiment}.yaml`, `${tinyYaml({ experiment, name: experiment, epochs, extra })}sweep:\n  grid:\n    train.optimizer.lr: [0.01, 0.003, 0.001]\n`);

  it('two workers finish a sweep under one parent; enqueued again, nothing is trained twice', async () => {
    const file = sweep('two');
    // Enqueued twice before any worker runs: the second finds every trial already on the queue.
    const first = await run([file, '--detach']);
    expect(first.stdout).toMatch(/3 trials: 3 enqueued, 0 already on the queue, 0 already finished/);
    expect((await run([file, '--detach'])).stdout).toMatch(/3 trials: 0 enqueued, 3 already on the queue/);
    expect((await exp(['queue', 'status', '--queue', q.redis.url])).stdout).toMatch(/^0 active, 3 waiting/);
    const [a, b] = [worker('wa'), worker('wb')];
    const followed = await run([file]);
    expect(followed.status).toBe(0);
    expect(followed.stdout).toMatch(/running on w[ab]/);
    expect(followed.stdout).toMatch(/3 runs: 3 finished, 0 skipped, 0 failed/);
    expect(followed.stdout).toMatch(/leaderboard of two/);
    const runs = await runsOf('two');
    const parent = runs.find((r) => r.data.tags['exp.sweep'] === 'true')!;
    const trials = runs.filter((r) => r !== parent);
    expect(trials.map((r) => [r.info.status, r.data.tags['mlflow.parentRunId']])).toEqual(Array(3).fill(['FINISHED', parent.info.runId]));
    // The parent is ended by the worker that finished the last trial (also with --detach).
    expect(await statusOf(parent.info.runId, 'FINISHED')).toBe('FINISHED');
    expect([a.output(), b.output()].every((o) => /took two lr=/.test(o))).toBe(true);

    const again = await run([file]);
    expect(again.stdout).toMatch(/3 trials: 0 enqueued, 0 already on the queue, 3 already finished/);
    expect(again.stdout).toMatch(/3 runs: 0 finished, 3 skipped/);
    expect(await runsOf('two')).toHaveLength(4);
  }, 240_000);

  it('refuses an unreachable Redis and a tracking folder not said to be shared, before anything is created', async () => {
    const file = sweep('refused');
    const down = await exp(['run', file, '--queue', 'redis://127.0.0.1:1', '--tracking-uri', q.dir.path('runs'), '--shared-store']);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/^exp: the queue's Redis at redis:\/\/127\.0\.0\.1:1 is unreachable \(.*ECONNREFUSED.*\); nothing was enqueued/);
    expect(stackLines(down.stderr)).toEqual([]);
    const local = await exp(['run', file, '--queue', q.redis.url, '--tracking-uri', q.dir.path('runs')]);
    expect(local.status).toBe(1);
    expect(local.stderr).toMatch(/--queue needs a tracking store every worker reaches: .* is a folder on this machine.*--shared-store/);
    const bad = await exp(['run', file, '--queue', 'http://127.0.0.1:6379', '--tracking-uri', q.dir.path('runs'), '--shared-store']);
    expect(bad.stderr).toMatch(/the scheme must be redis:\/\/ or rediss:\/\//);
    expect(await runsOf('refused')).toEqual([]);
  }, 120_000);

  it('exp queue drain drops the trials not started; their parent ends FAILED once no trial is left', async () => {
    const file = sweep('drained');
    expect((await run([file, '--detach'])).status).toBe(0);
    const drained = await exp(['queue', 'drain', '--queue', q.redis.url]);
    expect(drained.stdout).toBe('dropped 3 trials not started; running ones go on (their parents end when they do)\n');
    expect((await exp(['queue', 'status', '--queue', q.redis.url])).stdout).toMatch(/^0 active, 0 waiting, 0 delayed, 0 prioritized, 0 failed, 0 completed/);
    const parent = (await runsOf('drained')).find((r) => r.data.tags['exp.sweep'] === 'true')!;
    expect(await statusOf(parent.info.runId, 'FAILED')).toBe('FAILED');
  }, 120_000);

  it('retries a failing trial `attempts` times, then marks it FAILED; the others finish', async () => {
    // One trial reads a data folder with an unreadable image (on_bad_image: fail), the other is fine.
    const data = q.dir.path('bad-data');
    spawnSync('cp', ['-r', SAMPLE, data]);
    q.dir.write('bad-data/train/NORMAL/broken.png', 'not a png');
    const file = q.dir.write('f.yaml', `${tinyYaml({ experiment: 'flaky', name: 'flaky' })}sweep:\n  grid:\n    data.dir: [${JSON.stringify(data)}, ${JSON.stringify(SAMPLE)}]\n`);
    const w = worker('wf');
    const result = await run([file, '--attempts', '2']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/failed after 2 attempts: .*broken\.png/);
    expect(result.stdout).toMatch(/2 runs: 1 finished, 0 skipped, 1 failed/);
    expect(w.output()).toMatch(/will be retried \(attempt 1 of 2 failed\)/);
    expect(w.output()).toMatch(/FAILED after 2 attempts/);
    const parent = (await runsOf('flaky')).find((r) => r.data.tags['exp.sweep'] === 'true')!;
    expect(await statusOf(parent.info.runId, 'FAILED')).toBe('FAILED');
  }, 240_000);

  it('carries on when Redis restarts mid-sweep', async () => {
    const file = sweep('restart', 2);
    expect((await run([file, '--detach'])).status).toBe(0);
    const w = worker('wr');
    await waitFor(() => (/took restart/.test(w.output()) ? true : undefined), 60_000, 'the worker to take a trial');
    await q.redis.restart();
    const followed = await run([file]);
    expect(followed.status).toBe(0);
    expect(followed.stdout).toMatch(/3 runs: \d finished, \d skipped, 0 failed/);
    const trials = (await runsOf('restart')).filter((r) => r.data.tags['exp.sweep'] !== 'true');
    expect(trials.map((r) => r.info.status)).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
  }, 240_000);

  it('a k-fold cross-validation: folds on the queue, the parent ended by the worker with the folds\' statistics', async () => {
    const file = q.dir.write('cv.yaml', tinyYaml({ experiment: 'qcv', name: 'qcv', validation: '{kfold: 2}' }));
    worker('wk');
    const result = await run([file]);
    expect(result.status).toBe(0);
    const parent = (await runsOf('qcv')).find((r) => r.data.tags['exp.kfold'] === '2')!;
    expect(await statusOf(parent.info.runId, 'FINISHED')).toBe('FINISHED');
    const metrics = (await new FileStore(q.dir.path('runs')).getRun(parent.info.runId)).data.metrics;
    expect(metrics.test_accuracy_mean).toBeGreaterThanOrEqual(0);
    expect(metrics.test_accuracy).toBeGreaterThanOrEqual(0); // the fold-ensemble's
  }, 240_000);

  it('asha across workers: every trial records its rungs in Redis; the pruned ones end early, tagged', async () => {
    const file = q.dir.write('a.yaml', `${tinyYaml({ experiment: 'qasha', name: 'qasha', epochs: 2 })}sweep:\n  grid:\n    train.optimizer.lr: [0.01, 0.000001, 0.003]\n  scheduler: {asha: {metric: val_loss, reduction_factor: 2}}\n`);
    worker('wa');
    const result = await run([file]);
    expect(result.status).toBe(0);
    const runs = await runsOf('qasha');
    const parent = runs.find((r) => r.data.tags['exp.sweep'] === 'true')!;
    const rung = spawnSync('redis-cli', ['-p', String(q.redis.port), 'hgetall', `exp:rungs:${parent.info.runId}:rung-1`], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(rung.filter((_, i) => i % 2 === 0).sort()).toEqual(['qasha lr=0.000001', 'qasha lr=0.003', 'qasha lr=0.01']);
    const store = new FileStore(q.dir.path('runs'));
    for (const r of runs.filter((x) => x !== parent)) {
      const epochs = (await store.getMetricHistory(r.info.runId, 'val_loss')).length;
      expect([r.info.status, epochs]).toEqual(['FINISHED', r.data.tags['exp.pruned'] === 'true' ? 1 : 2]);
    }
    const pruned = runs.filter((r) => r.data.tags['exp.pruned'] === 'true').length;
    expect(result.stdout).toMatch(new RegExp(`3 runs: ${3 - pruned} finished, ${pruned ? `${pruned} pruned, ` : ''}0 skipped, 0 failed`));
  }, 240_000);
});
