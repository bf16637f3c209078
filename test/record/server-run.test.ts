/**
 * Runs recorded to the in-process MLflow test server (which enforces shared/docs/mlflow.md):
 * the same names arrive over REST and the artifacts through the proxy; an outage mid-run loses
 * nothing, and sync pushes the rest exactly once.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment, type RunHooks, type RunOutcome } from '../../src/runner/run-experiment.js';
import { FileStore, openStore, ResilientStore, RestStore, syncAll, SYNC_TAGS, type TrackingStore } from '../../src/tracking/index.js';
import { MlflowTestServer, type ServerRun } from '../helpers/mlflow-server.js';
import { CLASSES, quiet, TempDir, tinyExperiment } from './fixtures.js';

const EPOCH_METRICS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'];
const FINAL_METRICS = ['test_accuracy', 'test_auc', ...CLASSES.flatMap((c) => [`test_recall_${c}`, `test_precision_${c}`, `test_f1_${c}`])];
const PLOTS = ['learning_curves', 'confusion_matrix', 'roc_curve', 'pr_curve', 'calibration', 'threshold_metrics', 'predictions'].flatMap((p) => [`plots/${p}.png`, `plots/${p}.svg`]);
const ARTIFACTS = ['config.yaml', 'data/split.json', 'metrics.json', 'predictions.csv', 'model/model.json', 'model/weights.bin', 'model/summary.txt', 'model/signature.json', 'model/model.onnx', 'model/spec.json', 'model/MLmodel', 'model/requirements.txt', ...PLOTS];

let server: MlflowTestServer;
let url: string;
let dir: TempDir;

const noRetry = { retry: { retries: 0 }, env: {} } as const;
const steps = (run: ServerRun, key: string): number[] => (run.metrics.get(key) ?? []).map((m) => m.step);
const artifactsOf = (run: ServerRun): string[] =>
  [...server.artifacts.keys()]
    .filter((k) => k.startsWith(`${run.info.experimentId}/${run.info.runId}/artifacts/`))
    .map((k) => k.slice(`${run.info.experimentId}/${run.info.runId}/artifacts/`.length))
    .sort();

beforeEach(async () => {
  server = new MlflowTestServer();
  url = await server.start();
  dir = new TempDir();
});
afterEach(async () => {
  await server.stop();
  dir.cleanup();
});

describe('a run recorded to an MLflow server', () => {
  it('sends the same metrics, params, tags and artifacts over REST and ends FINISHED', async () => {
    const exp = tinyExperiment(dir, { epochs: 2, extra: "targets:\n  accuracy: '>= 0.01'\n" });
    const store = openStore(url, { ...noRetry, offlineDir: dir.path('offline') });
    const recorder = await RunRecorder.start(store, exp);
    expect(server.runs.get(recorder.runId)!.info.status).toBe('RUNNING');
    const outcome = await runExperiment(exp, quiet(), recorder);
    await recorder.finish(outcome);

    expect((store as ResilientStore).offline).toBe(false);
    const run = server.runs.get(recorder.runId)!;
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.endTime).toBeGreaterThanOrEqual(run.info.startTime);
    expect(server.experiments.get(run.info.experimentId)!.name).toBe('rec');
    for (const key of EPOCH_METRICS) expect(steps(run, key)).toEqual([1, 2]);
    for (const key of FINAL_METRICS) {
      expect(run.metrics.get(key)).toHaveLength(1);
      expect(run.metrics.get(key)![0]!.value).toBe(outcome.metrics[key]);
    }
    expect(run.params.get('train.epochs')).toBe('2');
    expect(run.params.get('model.layers.0.conv2d.filters')).toBe('4');
    expect(run.params.get('targets.accuracy')).toBe('>= 0.01');
    expect(run.params.get('class_weight.PNEUMONIA')).toBe(String(outcome.classWeights[1]));
    // The chosen threshold is a result (metric and tag), not a param the user set.
    expect([...run.params.keys()].filter((k) => k.includes('threshold')).sort()).toEqual(['evaluate.threshold.choose_on', 'evaluate.threshold.maximize', 'evaluate.threshold.min_class_recall', 'evaluate.threshold.tolerance']);
    expect(run.metrics.get('threshold')![0]!.value).toBe(outcome.threshold.value);
    expect(run.tags.get('exp.threshold')).toBe(String(outcome.threshold.value));
    expect(run.tags.get('exp.verdict')).toBe(outcome.verdict.pass ? 'PASS' : 'FAIL');
    expect(run.tags.get('exp.target.accuracy')).toBe(outcome.verdict.results[0]!.pass ? 'PASS' : 'FAIL');
    expect(run.tags.get('mlflow.runName')).toBe('tiny');
    expect(run.tags.get('mlflow.source.type')).toBe('LOCAL');
    for (const tag of ['mlflow.user', 'mlflow.source.name', 'exp.version', 'exp.node', 'exp.tfjs', 'exp.backend', 'exp.device', 'exp.data.fingerprint', 'exp.config_hash']) {
      expect(run.tags.has(tag), tag).toBe(true);
    }
    expect(artifactsOf(run)).toEqual([...ARTIFACTS].sort());
    const puts = server.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/api/2.0/mlflow-artifacts/artifacts/'));
    // Each epoch's checkpoint (file and manifest) went to the server too, and is gone once the run finished.
    expect(puts.filter((r) => !r.path.includes('/artifacts/checkpoints/'))).toHaveLength(ARTIFACTS.length);
    expect(puts.filter((r) => r.path.includes('/artifacts/checkpoints/'))).toHaveLength(2 * 2);
    expect(server.requests.filter((r) => r.method === 'DELETE').at(-1)?.path).toMatch(/\/artifacts\/checkpoints$/);
    // Readable back through the store (artifact download through the server).
    const signature = JSON.parse(Buffer.from(await store.readArtifact(recorder.runId, 'model/signature.json')).toString('utf8')) as { classes: string[] };
    expect(signature.classes).toEqual(CLASSES);
    // Nothing went to the offline folder.
    expect((await new FileStore(dir.path('offline')).listExperiments()).filter((e) => e.name !== 'Default')).toEqual([]);
  });

  it('stays FINISHED when the server refuses to delete its checkpoints, and says so in a tag', async () => {
    const exp = tinyExperiment(dir, { epochs: 3 });
    const store = new RestStore(url, noRetry);
    server.beforeHandle = (req) => (req.method === 'DELETE' && req.path.endsWith('/artifacts/checkpoints') ? 'drop' : undefined);
    const recorder = await RunRecorder.start(store, exp);
    await recorder.finish(await runExperiment(exp, quiet(), recorder));
    const run = server.runs.get(recorder.runId)!;
    expect(run.info.status).toBe('FINISHED');
    expect(run.tags.get('exp.checkpoints')).toMatch(/^kept: /);
    // Only the last two epochs' checkpoints were left.
    expect(artifactsOf(run).filter((a) => a.startsWith('checkpoints/'))).toEqual(['checkpoints/epoch-2/checkpoint.bin', 'checkpoints/epoch-2/manifest.json', 'checkpoints/epoch-3/checkpoint.bin', 'checkpoints/epoch-3/manifest.json']);
  });

  it('keeps logging locally when the server goes away mid-run, and sync pushes every epoch exactly once', async () => {
    const epochs = 3;
    const exp = tinyExperiment(dir, { epochs });
    const offline: string[] = [];
    const store = openStore(url, { ...noRetry, offlineDir: dir.path('offline'), onOffline: (e) => void offline.push(e.code) });
    const recorder = await RunRecorder.start(store, exp);
    // The server dies right after the first epoch reached it.
    const hooks: RunHooks = {
      started: (info) => recorder.started(info),
      epoch: async (logs) => {
        await recorder.epoch(logs);
        if (logs.epoch === 1) await server.stop();
      },
    };
    const outcome: RunOutcome = await runExperiment(exp, quiet(), hooks);
    await recorder.finish(outcome);
    expect(offline).toEqual(['NETWORK_ERROR']);

    const remoteRun = server.runs.get(recorder.runId)!;
    expect(remoteRun.info.status).toBe('RUNNING');
    expect(steps(remoteRun, 'val_loss')).toEqual([1]);

    // The rest is in the local store, finished and pointing at the server's run.
    const local = new FileStore(dir.path('offline'));
    const localRuns = await local.searchRuns((await local.listExperiments()).map((e) => e.experimentId));
    expect(localRuns).toHaveLength(1);
    const localRun = localRuns[0]!;
    expect(localRun.info.status).toBe('FINISHED');
    expect(localRun.data.tags[SYNC_TAGS.remoteRunId]).toBe(recorder.runId);
    expect(localRun.data.tags[SYNC_TAGS.remoteUri]).toBe(store.uri);
    expect((await local.getMetricHistory(localRun.info.runId, 'val_loss')).map((m) => m.step)).toEqual([2, 3]);

    await server.start();
    const rest: TrackingStore = new RestStore(url, noRetry);
    const results = await syncAll(local, rest);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ remoteRunId: recorder.runId, complete: true });

    const synced = server.runs.get(recorder.runId)!;
    expect(server.runs.size).toBe(1);
    expect(synced.info.status).toBe('FINISHED');
    for (const key of EPOCH_METRICS) expect(steps(synced, key)).toEqual([1, 2, 3]);
    for (const key of FINAL_METRICS) expect(synced.metrics.get(key)!.map((m) => m.value)).toEqual([outcome.metrics[key]]);
    expect(synced.tags.get('exp.verdict')).toMatch(/^(PASS|FAIL)$/);
    expect([...synced.tags.keys()].filter((k) => k.startsWith('exp.sync.'))).toEqual([]);
    expect(artifactsOf(synced)).toEqual([...ARTIFACTS].sort());

    // A second sync sends nothing.
    const before = server.requests.length;
    expect(await syncAll(local, rest)).toEqual([]);
    expect(server.requests.filter((r, i) => i >= before && r.path.endsWith('/runs/log-batch'))).toEqual([]);
    for (const key of EPOCH_METRICS) expect(steps(server.runs.get(recorder.runId)!, key)).toEqual([1, 2, 3]);
  });
});

describe('a run recorded to a server that is down from the start', () => {
  let down: TempDir;
  beforeAll(() => {
    down = new TempDir();
  });
  afterAll(() => down.cleanup());

  it('is kept whole in the offline store and synced later', async () => {
    await server.stop();
    const exp = tinyExperiment(down, { epochs: 1 });
    const store = openStore(url, { ...noRetry, offlineDir: path.join(down.root, 'offline') });
    const recorder = await RunRecorder.start(store, exp);
    const outcome = await runExperiment(exp, quiet(), recorder);
    await recorder.finish(outcome);
    expect(server.runs.size).toBe(0);

    await server.start();
    const results = await syncAll(new FileStore(path.join(down.root, 'offline')), new RestStore(url, noRetry));
    expect(results).toHaveLength(1);
    const run = server.runs.get(results[0]!.remoteRunId)!;
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.runName).toBe('tiny');
    expect(server.experiments.get(run.info.experimentId)!.name).toBe('rec');
    for (const key of EPOCH_METRICS) expect(steps(run, key)).toEqual([1]);
    expect(run.params.get('train.epochs')).toBe('1');
    expect(artifactsOf(run)).toEqual([...ARTIFACTS].sort());
  });
});
