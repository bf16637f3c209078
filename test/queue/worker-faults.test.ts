/**
 * A worker killed (SIGKILL, as when its machine dies) or stopped (SIGTERM) mid-trial: the trial
 * goes to another real `exp worker`, which continues the same MLflow run from its last
 * checkpoint and ends with the metrics of an uninterrupted run.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FileStore, type Run } from '../../src/tracking/index.js';
import { exp, waitFor } from '../cli/spawn-exp.js';
import { tinyYaml } from '../record/fixtures.js';
import { redisInstalled, SKIP_MESSAGE } from '../helpers/redis-server.js';
import { useQueueFixture } from './queue-fixture.js';

if (!redisInstalled) console.warn(SKIP_MESSAGE);

describe.skipIf(!redisInstalled)('a worker lost mid-trial', () => {
  const q = useQueueFixture('exp-queue-faults-');
  const { worker, run, runsOf } = q;
  // 64x64 images, so an epoch takes long enough to stop the worker inside the trial.
  const file = (experiment: string) => q.dir.write(`${experiment}.yaml`, tinyYaml({ experiment, name: 'trial', epochs: 4, size: 64 }));
  const RESULTS = ['test_accuracy', 'test_auc', 'best_val_loss', 'test_recall_NORMAL'];

  /** The uninterrupted run's results, trained by one worker from start to end. */
  async function reference(): Promise<Run> {
    const w = worker('ref');
    expect((await run([file('ref')])).status).toBe(0);
    w.child.kill('SIGTERM');
    await w.done;
    return (await runsOf('ref'))[0]!;
  }

  it('SIGKILL (the worker and its trial process): the job stalls, another worker resumes the same run, same metrics', async () => {
    const ref = await reference();
    const a = worker('wa');
    expect((await run([file('lost'), '--detach'])).status).toBe(0);
    await waitFor(() => (/\[trial\] epoch 2\/4/.test(a.output()) ? true : undefined), 120_000, 'epoch 2 on worker wa');
    // The machine dies: the worker and the process training the trial, at once, closing nothing.
    const children = spawnSync('pgrep', ['-P', String(a.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    a.child.kill('SIGKILL');
    await a.done;
    const b = worker('wb');
    const followed = await run([file('lost')]);
    expect(followed.status).toBe(0);
    expect(b.output()).toMatch(/took trial/);
    expect(b.output()).toMatch(/taking over stale run|continuing after epoch [23]/);
    const runs = await runsOf('lost');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.info.status).toBe('FINISHED');
    for (const key of RESULTS) expect(runs[0]!.data.metrics[key]).toBe(ref.data.metrics[key]);
    const history = await new FileStore(q.dir.path('runs')).getMetricHistory(runs[0]!.info.runId, 'val_loss');
    expect(history.map((m) => m.step)).toEqual([1, 2, 3, 4]);
  }, 400_000);

  it('SIGTERM: the worker closes its trial KILLED with its checkpoint and hands it back; another resumes it', async () => {
    const ref = await reference();
    const a = worker('wa');
    expect((await run([file('stopped'), '--detach'])).status).toBe(0);
    await waitFor(() => (/\[trial\] epoch 2\/4/.test(a.output()) ? true : undefined), 120_000, 'epoch 2 on worker wa');
    a.child.kill('SIGTERM');
    const stopped = await a.done;
    expect(stopped.status).toBe(143);
    expect(stopped.stdout).toMatch(/handed trial back to the queue/);
    expect((await runsOf('stopped'))[0]!.info.status).toBe('KILLED');
    expect((await exp(['queue', 'status', '--queue', q.redis.url])).stdout).toMatch(/0 active, 1 waiting/);
    const b = worker('wb');
    expect((await run([file('stopped')])).status).toBe(0);
    expect(b.output()).toMatch(/continuing after epoch [234]/);
    const runs = await runsOf('stopped');
    expect(runs.map((r) => r.info.status)).toEqual(['FINISHED']);
    for (const key of RESULTS) expect(runs[0]!.data.metrics[key]).toBe(ref.data.metrics[key]);
  }, 400_000);
});
