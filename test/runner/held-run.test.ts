/** A run held by its trainer: locked against a second trainer, its heartbeat renewed, let go at the end. */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { holdRun } from '../../src/runner/held-run.js';
import { closeAll, openClosables } from '../../src/runner/open-runs.js';
import { HEARTBEAT_MS, OWNER_TAGS } from '../../src/runner/owner.js';
import { RunRecorder } from '../../src/runner/record.js';
import { claimRun, RunLock } from '../../src/runner/run-lock.js';
import { FileStore } from '../../src/tracking/index.js';
import { quiet, TempDir, tinyExperiment } from '../record/fixtures.js';

const dir = new TempDir('exp-held-');
afterAll(() => dir.cleanup());
afterEach(() => vi.useRealTimers());

const heartbeat = async (store: FileStore, runId: string) => Number((await store.getRun(runId)).data.tags[OWNER_TAGS.heartbeat]);

describe('holdRun', () => {
  it('locks the run, renews its heartbeat every HEARTBEAT_MS, and lets go of both', async () => {
    const store = new FileStore(dir.path('runs'));
    const recorder = await RunRecorder.start(store, tinyExperiment(dir));
    const first = await heartbeat(store, recorder.runId);
    vi.useFakeTimers({ now: first + 1, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const letGo = holdRun(Promise.resolve(recorder), quiet());
    await new Promise((resolve) => setImmediate(resolve)); // the lock is taken once the run exists
    expect(RunLock.acquire(store, recorder.runId)).toMatchObject({ heldBy: { pid: process.pid } });
    await expect(claimRun(store, recorder.runId)).rejects.toThrow(`run ${recorder.runId} is being trained by another process (pid ${process.pid} on `);

    vi.advanceTimersByTime(HEARTBEAT_MS);
    // (vi.waitFor moves the fake clock on a little at each try.)
    await vi.waitFor(async () => expect(await heartbeat(store, recorder.runId)).toBeGreaterThanOrEqual(first + 1 + HEARTBEAT_MS));

    letGo();
    expect(openClosables()).toEqual([]);
    const lock = RunLock.acquire(store, recorder.runId);
    expect(lock).toBeInstanceOf(RunLock);
    (lock as RunLock).release();
    await recorder.end('KILLED');
  });

  it('is closed as KILLED with the reason by closeAll, as the exit guard does', async () => {
    const store = new FileStore(dir.path('runs-closed'));
    const recorder = await RunRecorder.start(store, tinyExperiment(dir));
    holdRun(Promise.resolve(recorder), quiet());
    await closeAll({ status: 'KILLED', reason: 'SIGHUP', signal: 'SIGHUP' });
    const run = await store.getRun(recorder.runId);
    expect(run.info.status).toBe('KILLED');
    expect(run.data.tags['exp.end_reason']).toBe('SIGHUP');
    expect(RunLock.acquire(store, recorder.runId)).toBeInstanceOf(RunLock);
  });
});
