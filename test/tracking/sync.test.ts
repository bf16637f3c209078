/** Nothing is lost when the server goes away mid-run: local fallback, then sync, exactly once. */
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackingError } from '../../src/tracking/errors.js';
import { FileStore } from '../../src/tracking/file-store.js';
import { ResilientStore } from '../../src/tracking/resilient-store.js';
import { RestStore } from '../../src/tracking/rest-store.js';
import type { Metric } from '../../src/tracking/store.js';
import { otherServersRuns, pendingRuns, sameServer, SYNC_TAGS, syncAll } from '../../src/tracking/sync.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';

const T0 = 1_700_000_000_000;
const epoch = (step: number): Metric[] => [
  { key: 'loss', value: 1 / (step + 1), timestamp: T0 + step, step },
  { key: 'val/acc', value: step / 10, timestamp: T0 + step, step },
];

describe('offline fallback and sync', () => {
  let server: MlflowTestServer;
  let url: string;
  let dir: string;
  let local: FileStore;
  let offlineEvents: TrackingError[];

  const rest = () => new RestStore(url, { env: {}, retry: { retries: 1, sleep: async () => undefined } });
  const resilient = () => new ResilientStore(rest(), local, { onOffline: (err) => void offlineEvents.push(err) });
  const logBatchCalls = () => server.requestsTo('/runs/log-batch').length;

  beforeEach(async () => {
    server = new MlflowTestServer();
    url = await server.start();
    dir = await mkdtemp(join(tmpdir(), 'exp-sync-'));
    local = new FileStore(dir);
    offlineEvents = [];
  });
  afterEach(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps logging locally through an outage and syncs every point exactly once', async () => {
    const store = resilient();
    const experimentId = await store.getOrCreateExperiment('xray');
    const { runId } = await store.createRun(experimentId, { runName: 'cnn', startTime: T0 });
    await store.logBatch(runId, { params: { lr: '0.01' } });
    for (let step = 0; step < 5; step++) await store.logBatch(runId, { metrics: epoch(step) });

    await server.stop();
    for (let step = 5; step < 10; step++) await store.logBatch(runId, { metrics: epoch(step), tags: { epoch: String(step) } });
    await store.logArtifact(runId, 'model/model.json', '{"w":[1]}');
    await store.updateRun(runId, 'FINISHED', T0 + 99);
    expect(store.offline).toBe(true);
    expect(offlineEvents.map((e) => e.code)).toEqual(['NETWORK_ERROR']);
    expect((await store.getRun(runId)).data.metrics['loss']).toBe(0.1); // reads come from the local copy

    await server.start();
    const results = await syncAll(local, rest());
    expect(results).toEqual([
      expect.objectContaining({ remoteRunId: runId, metrics: 10, artifacts: 1, complete: true }),
    ]);
    const run = server.runs.get(runId)!;
    for (const key of ['loss', 'val/acc']) {
      expect(run.metrics.get(key)!.map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(run.info).toMatchObject({ status: 'FINISHED', endTime: T0 + 99 });
    expect(run.params.get('lr')).toBe('0.01');
    expect(run.tags.get('epoch')).toBe('9');
    expect([...run.tags.keys()].filter((k) => k.startsWith('exp.sync.'))).toEqual([]);
    expect(server.artifacts.get(`1/${runId}/artifacts/model/model.json`)?.toString()).toBe('{"w":[1]}');
    expect(server.runs.size).toBe(1);

    const callsBefore = logBatchCalls();
    expect(await syncAll(local, rest())).toEqual([]);
    expect(logBatchCalls()).toBe(callsBefore);
    expect(run.metrics.get('loss')).toHaveLength(10);
  });

  it('creates the run on the server when it was offline from the start', async () => {
    await server.stop();
    const store = resilient();
    const experimentId = await store.getOrCreateExperiment('xray');
    const info = await store.createRun(experimentId, { runName: 'mlp', startTime: T0, tags: { 'mlflow.note.content': 'offline' } });
    for (let step = 0; step < 3; step++) await store.logBatch(info.runId, { metrics: epoch(step), params: { depth: '2' } });
    await store.updateRun(info.runId, 'FAILED', T0 + 5);
    expect((await local.getRun(info.runId)).data.tags[SYNC_TAGS.remoteUri]).toBe(url);

    await server.start();
    const [result] = await syncAll(local, rest());
    const run = server.runs.get(result!.remoteRunId)!;
    expect(run.info).toMatchObject({ runName: 'mlp', startTime: T0, status: 'FAILED', endTime: T0 + 5 });
    expect(server.experiments.get(run.info.experimentId)!.name).toBe('xray');
    expect(run.metrics.get('val/acc')!.map((m) => m.value)).toEqual([0, 0.1, 0.2]);
    expect(run.params.get('depth')).toBe('2');
    expect(run.tags.get('mlflow.note.content')).toBe('offline');
    expect((await local.getRun(info.runId)).data.tags[SYNC_TAGS.remoteRunId]).toBe(result!.remoteRunId);
    expect(await pendingRuns(local, url)).toEqual([]);
  });

  it('syncs a still-running run incrementally without duplicating points', async () => {
    const experimentId = await local.getOrCreateExperiment('xray');
    const { runId } = await local.createRun(experimentId, { runName: 'live', startTime: T0 });
    await local.logBatch(runId, { metrics: [...epoch(0), ...epoch(1)] });
    const [first] = await syncAll(local, rest());
    expect(first).toMatchObject({ metrics: 4, complete: false });

    await local.logBatch(runId, { metrics: epoch(2) });
    await local.updateRun(runId, 'FINISHED', T0 + 9);
    const [second] = await syncAll(local, rest());
    expect(second).toMatchObject({ remoteRunId: first!.remoteRunId, metrics: 2, complete: true });
    const run = server.runs.get(first!.remoteRunId)!;
    expect(run.metrics.get('loss')!.map((m) => m.step)).toEqual([0, 1, 2]);
    expect(run.info.status).toBe('FINISHED');
  });

  it('searches an unreachable server in the local store (a run starting offline), but a 5xx search is only that search failing', async () => {
    const online = resilient();
    server.failNext(2, 503); // the first try and its one retry
    await expect(online.searchRuns(['0'])).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
    expect(online.offline).toBe(false);

    const earlier = await local.createRun(await local.getOrCreateExperiment('xray'), { runName: 'kept-offline', startTime: T0 });
    await server.stop();
    const store = resilient();
    const experiment = await store.getExperimentByName('xray');
    expect(store.offline).toBe(true);
    expect(offlineEvents.map((e) => e.code)).toEqual(['NETWORK_ERROR']);
    expect((await store.searchRuns([experiment!.experimentId])).map((r) => r.info.runId)).toEqual([earlier.runId]);
  });

  it('does not go offline for a request the server refuses', async () => {
    const store = resilient();
    const { runId } = await store.createRun(await store.getOrCreateExperiment('xray'), { runName: 'r' });
    await store.logBatch(runId, { params: { lr: '1' } });
    await expect(store.logBatch(runId, { params: { lr: '2' } })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    expect(store.offline).toBe(false);
    expect(await local.listExperiments()).toEqual([]);
  });

  it('refuses to sync a run that belongs to another server', async () => {
    await server.stop();
    const store = resilient();
    await store.createRun(await store.getOrCreateExperiment('xray'), { runName: 'r' });
    await server.start();
    const other = new MlflowTestServer();
    const otherStore = new RestStore(await other.start(), { env: {}, retry: { retries: 0 } });
    try {
      expect(await syncAll(local, otherStore)).toEqual([]);
      expect(other.runs.size).toBe(0);
      // ... and says it is there, for another server, instead of "nothing to sync".
      expect(await otherServersRuns(local, otherStore.uri)).toEqual([{ runId: expect.any(String), remoteUri: url }]);
    } finally {
      await other.stop();
    }
  });

  it('takes another spelling of the same server (trailing slash, localhost) as that server', async () => {
    await server.stop();
    const store = resilient();
    const { runId } = await store.createRun(await store.getOrCreateExperiment('xray'), { runName: 'r', startTime: T0 });
    await store.logBatch(runId, { metrics: epoch(0) });
    await store.updateRun(runId, 'FINISHED', T0 + 1);
    await server.start();
    expect(sameServer('http://LOCALHOST:5000/', 'http://127.0.0.1:5000')).toBe(true);
    expect(sameServer('http://127.0.0.1:80', 'http://127.0.0.1')).toBe(true);
    expect(sameServer('http://127.0.0.1:5000', 'http://127.0.0.1:5001')).toBe(false);

    const spelt = `${url.replace('127.0.0.1', 'localhost')}/`;
    const results = await syncAll(local, new RestStore(spelt, { env: {}, retry: { retries: 0 } }));
    expect(results).toEqual([expect.objectContaining({ complete: true, metrics: 2 })]);
    // Reported synced only because the server now has it.
    expect(server.runs.get(results[0]!.remoteRunId)!.metrics.get('loss')).toHaveLength(1);
    expect(await otherServersRuns(local, spelt)).toEqual([]);
  });

  it('uploads only regular files of a run, naming the links and other entries it skipped', async () => {
    const experimentId = await local.getOrCreateExperiment('xray');
    const { runId } = await local.createRun(experimentId, { runName: 'links', startTime: T0 });
    await local.logArtifact(runId, 'model/model.json', '{}');
    await local.updateRun(runId, 'FINISHED', T0 + 1);
    const secret = join(dir, 'outside-secret.txt');
    await writeFile(secret, 'root:x:0:0\n');
    const [experimentDir] = (await readdir(dir)).filter((e) => e !== '.exp-tmp' && e !== '0' && !e.endsWith('.txt'));
    const artifacts = join(dir, experimentDir!, runId, 'artifacts');
    await symlink(secret, join(artifacts, 'passwd'));
    await symlink(join(dir), join(artifacts, 'model', 'store-link'));

    const [result] = await syncAll(local, rest());
    expect(result).toMatchObject({ artifacts: 1, complete: true, skipped: ['model/store-link', 'passwd'] });
    const uploaded = [...server.artifacts.keys()];
    expect(uploaded).toEqual([expect.stringMatching(/\/artifacts\/model\/model\.json$/)]);
    expect([...server.artifacts.values()].map(String)).not.toContain('root:x:0:0\n');
  });
});
