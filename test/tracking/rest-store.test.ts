/** The REST store's wire behaviour: auth, retries, errors, chunking, value encodings, pagination. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BATCH_LIMITS, chunkBatch } from '../../src/tracking/batch-chunks.js';
import { TrackingError } from '../../src/tracking/errors.js';
import { MlflowHttp, type HttpOptions } from '../../src/tracking/http-client.js';
import { RestStore } from '../../src/tracking/rest-store.js';
import type { Metric } from '../../src/tracking/store.js';
import { MlflowTestServer, type MlflowServerOptions } from '../helpers/mlflow-server.js';

const T0 = 1_700_000_000_000;

interface WireBatch {
  metrics: { key: string; value: number | string }[];
  params: { key: string }[];
  tags: { key: string }[];
}

describe('RestStore', () => {
  let server: MlflowTestServer;
  let url: string;
  let sleeps: number[];

  async function serve(opts: MlflowServerOptions = {}): Promise<void> {
    server = new MlflowTestServer(opts);
    url = await server.start();
  }
  /** A store whose retries wait for nothing but record how long they would have waited. */
  function storeFor(opts: HttpOptions = {}): RestStore {
    return new RestStore(url, { env: {}, ...opts, retry: { baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void sleeps.push(ms), ...opts.retry } });
  }
  async function newRun(store: RestStore) {
    return store.createRun(await store.getOrCreateExperiment('exp'), { runName: 'r', startTime: T0 });
  }

  beforeEach(async () => {
    sleeps = [];
    await serve();
  });
  afterEach(() => server.stop());

  it('sends a Bearer token from MLFLOW_TRACKING_TOKEN', async () => {
    await server.stop();
    await serve({ auth: { token: 's3cret' } });
    await storeFor({ env: { MLFLOW_TRACKING_TOKEN: 's3cret' } }).getOrCreateExperiment('exp');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer s3cret', 'Bearer s3cret']);
  });

  it('sends Basic auth from MLFLOW_TRACKING_USERNAME and _PASSWORD, and explains a 401', async () => {
    await server.stop();
    await serve({ auth: { username: 'alice', password: 'pw:1' } });
    await storeFor({ env: { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'pw:1' } }).getOrCreateExperiment('exp');
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pw:1').toString('base64')}`);
    const err = await storeFor().getOrCreateExperiment('exp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrackingError);
    expect(err).toMatchObject({ code: 'HTTP_401', httpStatus: 401 });
    expect((err as Error).message).toContain('MLFLOW_TRACKING_TOKEN');
    expect(sleeps).toEqual([]); // a 401 is not retried
  });

  it('retries 429 and 5xx with exponential backoff, honouring Retry-After', async () => {
    const store = storeFor();
    server.failNext(2, 429);
    server.failNext(1, 503, 0.5);
    expect(await store.getOrCreateExperiment('exp')).toBe('1');
    expect(sleeps).toEqual([100, 200, 500]);
    expect(server.requests.map((r) => r.path.split('/').pop())).toEqual(['get-by-name', 'get-by-name', 'get-by-name', 'get-by-name', 'create']);
  });

  it('gives up after the configured retries with the last error', async () => {
    server.failNext(10, 503);
    const err = await storeFor({ retry: { retries: 3 } }).getOrCreateExperiment('exp').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE', httpStatus: 503, transient: true });
    expect(server.requests).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('reports an unreachable server as NETWORK_ERROR after retrying', async () => {
    await server.stop();
    const err = await storeFor({ retry: { retries: 2 } }).getOrCreateExperiment('exp').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', transient: true });
    expect((err as Error).message).toContain(url);
    expect(sleeps).toEqual([100, 200]);
  });

  it("turns the server's error body into a TrackingError with its code and message", async () => {
    const store = storeFor();
    const err = await store.getRun('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrackingError);
    expect(err).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', httpStatus: 404 });
    expect((err as Error).message).toBe('MLflow server refused GET /api/2.0/mlflow/runs/get: Run with id=nope not found');
    expect(sleeps).toEqual([]);
  });

  it('maps an HTML answer (405) to HTTP_<status>', async () => {
    const err = await new MlflowHttp(url, { env: {} }).getJson('/api/2.0/mlflow/runs/create').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HTTP_405', httpStatus: 405 });
  });

  it('creates experiments race-safely: RESOURCE_ALREADY_EXISTS falls back to the existing id', async () => {
    const store = storeFor();
    const ids = await Promise.all([store.getOrCreateExperiment('same'), store.getOrCreateExperiment('same'), store.getOrCreateExperiment('same')]);
    expect(new Set(ids).size).toBe(1);
    expect([...server.experiments.values()].filter((e) => e.name === 'same')).toHaveLength(1);
  });

  it('chunks a 2500-metric batch to the server limits, never repeating a key in one request', async () => {
    const store = storeFor();
    const { runId } = await newRun(store);
    const metrics: Metric[] = [];
    for (let i = 0; i < 2480; i++) metrics.push({ key: `m${i}`, value: i, timestamp: T0, step: 0 });
    for (let step = 0; step < 20; step++) metrics.push({ key: 'loss', value: step / 100, timestamp: T0 + step, step });
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, String(i)]));
    const tags = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`t${i}`, String(i)]));
    await store.logBatch(runId, { metrics, params, tags });

    const batches = server.requestsTo('/runs/log-batch').map((r) => r.json as WireBatch);
    for (const b of batches) {
      expect(b.metrics.length).toBeLessThanOrEqual(1000);
      expect(b.params.length).toBeLessThanOrEqual(100);
      expect(b.tags.length).toBeLessThanOrEqual(100);
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(1000);
      expect(new Set(b.metrics.map((m) => m.key)).size).toBe(b.metrics.length);
    }
    expect(batches.reduce((n, b) => n + b.metrics.length, 0)).toBe(2500);
    // 2500 metrics + 270 params/tags need at least 3 requests; 20 points of `loss` need 20, and that suffices.
    expect(batches.length).toBe(20);
    const run = server.runs.get(runId)!;
    expect(run.metrics.size).toBe(2481);
    expect(run.metrics.get('loss')!.map((m) => m.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(run.params.size).toBe(150);
    expect(run.tags.size).toBe(120 + 2); // plus mlflow.runName and mlflow.user
  });

  it('sends NaN and infinities as strings and reads both backends\' encodings back', async () => {
    for (const backend of ['file', 'sqlite'] as const) {
      await server.stop();
      await serve({ backend });
      const store = storeFor();
      const { runId } = await newRun(store);
      const values = [NaN, Infinity, -Infinity, 0];
      await store.logBatch(runId, { metrics: values.map((value, step) => ({ key: 'v', value, timestamp: T0, step })) });
      const sent = server.requestsTo('/runs/log-batch').flatMap((r) => (r.json as WireBatch).metrics.map((m) => m.value));
      expect(sent).toEqual(['NaN', 'Infinity', '-Infinity', 0]);
      expect((await store.getMetricHistory(runId, 'v')).map((m) => m.value)).toEqual(values);
    }
  });

  it('follows next_page_token until all runs (or maxResults) are read', async () => {
    await server.stop();
    await serve({ maxPageSize: 2 });
    const store = storeFor();
    const experimentId = await store.getOrCreateExperiment('exp');
    for (let i = 0; i < 5; i++) await store.createRun(experimentId, { runName: `r${i}`, startTime: T0 + i });
    expect((await store.searchRuns([experimentId])).map((r) => r.info.runName)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    expect(server.requestsTo('/runs/search')).toHaveLength(3);
    expect(await store.searchRuns([experimentId], { maxResults: 3 })).toHaveLength(3);
    expect((await store.listExperiments()).map((e) => e.name)).toEqual(['Default', 'exp']);
  });

  it('uploads artifacts through the proxy under the run artifact root', async () => {
    const store = storeFor();
    const info = await newRun(store);
    await store.logArtifact(info.runId, 'model dir/model.json', '{}');
    expect(server.requestsTo('model.json')[0]!.path).toBe(`/api/2.0/mlflow-artifacts/artifacts/${info.experimentId}/${info.runId}/artifacts/model%20dir/model.json`);
    expect(server.artifacts.get(`${info.experimentId}/${info.runId}/artifacts/model dir/model.json`)?.toString()).toBe('{}');
  });

  it('refuses artifacts for a server that does not proxy them', async () => {
    const info = await newRun(storeFor());
    server.runs.get(info.runId)!.info.artifactUri = 's3://bucket/1/artifacts';
    const err = await storeFor().logArtifact(info.runId, 'a.txt', 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ARTIFACTS_NOT_PROXIED' });
  });
});

describe('chunkBatch', () => {
  it('packs distinct keys densely and returns nothing for an empty batch', () => {
    expect(chunkBatch({})).toEqual([]);
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: T0, step: 0 }));
    expect(chunkBatch({ metrics }).map((c) => c.metrics.length)).toEqual([1000, 1000, 500]);
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, 'x']));
    const chunks = chunkBatch({ params, metrics: metrics.slice(0, 950) });
    expect(chunks.map((c) => [Object.keys(c.params).length, c.metrics.length])).toEqual([
      [100, 900],
      [100, 50],
      [50, 0],
    ]);
    for (const c of chunks) expect(Object.keys(c.params).length + c.metrics.length).toBeLessThanOrEqual(BATCH_LIMITS.total);
  });
});

describe('MlflowHttp', () => {
  it('reports a non-JSON 200 answer (a proxy page, a wrong URL) as BAD_RESPONSE', async () => {
    const server = new MlflowTestServer();
    const url = await server.start();
    try {
      const err = await new MlflowHttp(url, { env: {} }).getJson('/health').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
      expect((err as Error).message).toContain('OK');
    } finally {
      await server.stop();
    }
  });
});
