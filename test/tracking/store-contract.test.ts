/** One suite, run against every TrackingStore: both backends must behave the same through the interface. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingError } from '../../src/tracking/errors.js';
import { FileStore } from '../../src/tracking/file-store.js';
import { RestStore } from '../../src/tracking/rest-store.js';
import type { Metric, RunStatus, TrackingStore } from '../../src/tracking/store.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';

interface Backend {
  store: TrackingStore;
  close: () => Promise<void>;
}

const backends: Record<string, () => Promise<Backend>> = {
  'file store': async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exp-contract-'));
    return { store: new FileStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
  },
  'REST store': async () => {
    const server = new MlflowTestServer();
    const url = await server.start();
    return { store: new RestStore(url, { env: {}, retry: { retries: 0 } }), close: () => server.stop() };
  },
};

const T0 = 1_700_000_000_000;
const point = (key: string, value: number, step: number): Metric => ({ key, value, timestamp: T0 + step, step });

async function rejection(promise: Promise<unknown>): Promise<TrackingError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrackingError);
  return err as TrackingError;
}

for (const [name, open] of Object.entries(backends)) {
  describe(`TrackingStore contract: ${name}`, () => {
    let backend: Backend;
    let store: TrackingStore;
    beforeEach(async () => {
      backend = await open();
      store = backend.store;
    });
    afterEach(() => backend.close());

    async function newRun(runName = 'cnn', tags?: Record<string, string>) {
      const experimentId = await store.getOrCreateExperiment('chest-xray');
      return store.createRun(experimentId, { runName, startTime: T0, ...(tags ? { tags } : {}) });
    }

    it('creates an experiment once and finds it by name', async () => {
      const id = await store.getOrCreateExperiment('chest-xray');
      expect(await store.getOrCreateExperiment('chest-xray')).toBe(id);
      expect(id).not.toBe('0');
      const found = await store.getExperimentByName('chest-xray');
      expect(found).toMatchObject({ experimentId: id, name: 'chest-xray', lifecycleStage: 'active' });
      expect(await store.getExperimentByName('nope')).toBeUndefined();
      const names = (await store.listExperiments()).map((e) => e.name).sort();
      expect(names).toEqual(['Default', 'chest-xray']);
    });

    it('creates a running run with its name and tags', async () => {
      const info = await newRun('cnn', { 'mlflow.note.content': 'first try' });
      expect(info).toMatchObject({ runName: 'cnn', status: 'RUNNING', startTime: T0, lifecycleStage: 'active' });
      expect(info.endTime).toBeUndefined();
      const run = await store.getRun(info.runId);
      expect(run.info).toEqual(info);
      expect(run.data.tags).toMatchObject({ 'mlflow.runName': 'cnn', 'mlflow.note.content': 'first try' });
      expect(run.data.tags['mlflow.user']).toBe(info.userId);
    });

    it('refuses a run name that differs from the mlflow.runName tag', async () => {
      const err = await rejection(newRun('cnn', { 'mlflow.runName': 'other' }));
      expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('logs metrics, params and tags and reads them back', async () => {
      const { runId } = await newRun();
      await store.logBatch(runId, {
        metrics: [point('loss', 0.9, 0), point('val/loss', 1.5, 0), point('loss', 0.5, 1)],
        params: { lr: '0.001', 'model/depth': '3' },
        tags: { stage: 'train' },
      });
      await store.logBatch(runId, { metrics: [point('loss', NaN, 2), point('loss', Infinity, 3), point('loss', -Infinity, 4), point('acc', 0, 0)] });
      const run = await store.getRun(runId);
      expect(run.data.metrics).toEqual({ loss: -Infinity, 'val/loss': 1.5, acc: 0 });
      expect(run.data.params).toEqual({ lr: '0.001', 'model/depth': '3' });
      expect(run.data.tags['stage']).toBe('train');
      const history = await store.getMetricHistory(runId, 'loss');
      expect(history).toEqual([point('loss', 0.9, 0), point('loss', 0.5, 1), point('loss', NaN, 2), point('loss', Infinity, 3), point('loss', -Infinity, 4)]);
      expect(await store.getMetricHistory(runId, 'never-logged')).toEqual([]);
    });

    it('takes the same param value again but refuses a changed one', async () => {
      const { runId } = await newRun();
      await store.logBatch(runId, { params: { lr: '0.1' } });
      await store.logBatch(runId, { params: { lr: '0.1' } });
      const err = await rejection(store.logBatch(runId, { params: { lr: '0.2' } }));
      expect(err.code).toBe('INVALID_PARAMETER_VALUE');
      expect(err.message).toContain('lr');
      expect((await store.getRun(runId)).data.params).toEqual({ lr: '0.1' });
    });

    it('truncates long param and tag values as the server does', async () => {
      const { runId } = await newRun();
      await store.logBatch(runId, { params: { long: 'p'.repeat(7000) }, tags: { long: 't'.repeat(6000) } });
      const run = await store.getRun(runId);
      expect(run.data.params['long']).toHaveLength(6000);
      expect(run.data.tags['long']).toHaveLength(5000);
    });

    for (const bad of ['a:b', '../x', '/abs', 'a//b', 'x'.repeat(251), '']) {
      it(`rejects the key ${JSON.stringify(bad.slice(0, 20))} and logs nothing of that batch`, async () => {
        const { runId } = await newRun();
        const err = await rejection(store.logBatch(runId, { metrics: [point('good', 1, 0), point(bad, 1, 0)], params: { fine: '1' } }));
        expect(err.code).toBe('INVALID_PARAMETER_VALUE');
        await rejection(store.logBatch(runId, { params: { [bad]: 'x' } }));
        const run = await store.getRun(runId);
        expect(run.data.metrics).toEqual({});
        expect(run.data.params).toEqual({});
      });
    }

    it('ends a run with a status and end time', async () => {
      const { runId } = await newRun();
      await store.updateRun(runId, 'FINISHED', T0 + 5000);
      const { info } = await store.getRun(runId);
      expect(info.status).toBe('FINISHED');
      expect(info.endTime).toBe(T0 + 5000);
      await rejection(store.updateRun(runId, 'DONE' as RunStatus));
      expect((await store.getRun(runId)).info.status).toBe('FINISHED');
    });

    it('stores, lists and reads artifacts', async () => {
      const { runId } = await newRun();
      await store.logArtifact(runId, 'model/model.json', '{"layers":[]}');
      await store.logArtifact(runId, 'model/weights.bin', new Uint8Array([1, 2, 3, 4]));
      await store.logArtifact(runId, 'README.md', '# cnn');
      const root = await store.listArtifacts(runId);
      expect([...root].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: 'model', isDir: true },
        { path: 'README.md', isDir: false, fileSize: 5 },
      ]);
      const model = await store.listArtifacts(runId, 'model');
      expect(model.map((e) => [e.path, e.fileSize]).sort()).toEqual([
        ['model/model.json', 13],
        ['model/weights.bin', 4],
      ]);
      expect(Buffer.from(await store.readArtifact(runId, 'model/weights.bin'))).toEqual(Buffer.from([1, 2, 3, 4]));
      expect(Buffer.from(await store.readArtifact(runId, 'model/model.json')).toString()).toBe('{"layers":[]}');
      await rejection(store.logArtifact(runId, '../escape.txt', 'x'));
    });

    it('deletes an artifact file or folder, and an absent one without error', async () => {
      const { runId } = await newRun();
      await store.logArtifact(runId, 'checkpoints/epoch-1/checkpoint.bin', new Uint8Array([1, 2]));
      await store.logArtifact(runId, 'checkpoints/epoch-1/manifest.json', '{}');
      await store.logArtifact(runId, 'checkpoints/epoch-2/manifest.json', '{}');
      await store.logArtifact(runId, 'model/model.json', '{}');
      await store.deleteArtifacts(runId, 'checkpoints/epoch-1/manifest.json');
      expect((await store.listArtifacts(runId, 'checkpoints/epoch-1')).map((e) => e.path)).toEqual(['checkpoints/epoch-1/checkpoint.bin']);
      await store.deleteArtifacts(runId, 'checkpoints');
      await store.deleteArtifacts(runId, 'checkpoints');
      expect((await store.listArtifacts(runId)).map((e) => e.path)).toEqual(['model']);
      await rejection(store.deleteArtifacts(runId, '../escape'));
    });

    it('searches runs with filter, order (missing values last) and a cap', async () => {
      const experimentId = await store.getOrCreateExperiment('chest-xray');
      const make = async (runName: string, acc: number | undefined, model: string, startTime: number) => {
        const { runId } = await store.createRun(experimentId, { runName, startTime });
        await store.logBatch(runId, { params: { model }, metrics: acc === undefined ? [] : [point('acc', acc, 0)] });
        return runId;
      };
      await make('a', 0.7, 'cnn', T0);
      await make('b', 0.9, 'mlp', T0 + 1);
      await make('c', undefined, 'cnn', T0 + 2);
      await make('d', 0.8, 'cnn', T0 + 3);
      const names = async (opts: Parameters<TrackingStore['searchRuns']>[1]) =>
        (await store.searchRuns([experimentId], opts)).map((r) => r.info.runName);
      expect(await names({})).toEqual(['d', 'c', 'b', 'a']);
      expect(await names({ orderBy: ['metrics.acc DESC'] })).toEqual(['b', 'd', 'a', 'c']);
      expect(await names({ orderBy: ['metrics.acc ASC'] })).toEqual(['a', 'd', 'b', 'c']);
      expect(await names({ filter: "metrics.acc > 0.75 and params.model = 'cnn'" })).toEqual(['d']);
      expect(await names({ orderBy: ['metrics.acc DESC'], maxResults: 2 })).toEqual(['b', 'd']);
      expect(await names({ filter: "params.model = 'none'" })).toEqual([]);
      await rejection(store.searchRuns([experimentId], { filter: 'metrics.acc >>> 1' }));
    });

    it('reports an unknown run as RESOURCE_DOES_NOT_EXIST', async () => {
      const err = await rejection(store.getRun('0123456789abcdef0123456789abcdef'));
      expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
      await rejection(store.logBatch('0123456789abcdef0123456789abcdef', { params: { a: '1' } }));
    });
  });
}
