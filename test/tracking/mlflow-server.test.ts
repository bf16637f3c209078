/** The test server must refuse what a real MLflow server refuses (shared/docs/mlflow.md), or the other tests prove nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowTestServer, SERVER_VERSION } from '../helpers/mlflow-server.js';

const API = '/api/2.0/mlflow';

describe('MlflowTestServer', () => {
  const server = new MlflowTestServer();
  let url: string;
  let runId: string;
  beforeAll(async () => {
    url = await server.start();
    const { experiment_id } = (await (await post('/experiments/create', { name: 'rules' })).json()) as { experiment_id: string };
    const created = (await (await post('/runs/create', { experiment_id, run_name: 'r', start_time: 1 })).json()) as { run: { info: { run_id: string } } };
    runId = created.run.info.run_id;
  });
  afterAll(() => server.stop());

  function post(path: string, body: unknown, contentType = 'application/json'): Promise<Response> {
    return fetch(url + API + path, { method: 'POST', headers: { 'Content-Type': contentType }, body: JSON.stringify(body) });
  }
  async function error(response: Response): Promise<[number, string]> {
    const body = (await response.json()) as { error_code: string };
    return [response.status, body.error_code];
  }
  const batch = (extra: object) => post('/runs/log-batch', { run_id: runId, ...extra });
  const metrics = (n: number, key = (i: number) => `m${i}`) =>
    Array.from({ length: n }, (_, i) => ({ key: key(i), value: 1, timestamp: 1, step: 0 }));
  const kvs = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));

  it('answers /health and /version', async () => {
    expect(await (await fetch(`${url}/health`)).text()).toBe('OK');
    expect(await (await fetch(`${url}/version`)).text()).toBe(SERVER_VERSION);
  });

  it('needs application/json on POST and answers a wrong method with HTML 405', async () => {
    expect((await post('/experiments/create', { name: 'x' }, 'text/plain')).status).toBe(400);
    const wrong = await fetch(`${url}${API}/runs/create`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('content-type')).toContain('text/html');
  });

  it('refuses a second experiment of one name and 404s an unknown one', async () => {
    expect(await error(await post('/experiments/create', { name: 'rules' }))).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    expect(await error(await fetch(`${url}${API}/experiments/get-by-name?experiment_name=nope`))).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });

  it('refuses a run_name with a different mlflow.runName tag', async () => {
    const response = await post('/runs/create', { experiment_id: '1', run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] });
    expect(await error(response)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('enforces batch limits, unique keys, key syntax and immutable params', async () => {
    const refused = [
      { metrics: metrics(1001) },
      { params: kvs(101, 'p') },
      { tags: kvs(101, 't') },
      { metrics: metrics(950), params: kvs(51, 'p') },
      { metrics: metrics(2, () => 'same') },
      { params: [{ key: 'k', value: '1' }, { key: 'k', value: '1' }] },
      { params: [{ key: 'a:b', value: '1' }] },
      { metrics: metrics(1, () => '../x') },
      { tags: [{ key: '/abs', value: '1' }] },
      { metrics: [{ key: 'm', value: 1, timestamp: 1.5, step: 0 }] },
    ];
    for (const body of refused) expect(await error(await batch(body))).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(server.runs.get(runId)!.metrics.size).toBe(0);
    expect((await batch({ metrics: metrics(900), params: kvs(50, 'p'), tags: kvs(50, 't') })).status).toBe(200);
    expect(await (await batch({ params: [{ key: 'p0', value: 'v' }] })).json()).toEqual({});
    expect(await error(await batch({ params: [{ key: 'p0', value: 'changed' }] }))).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(server.runs.get(runId)!.params.get('p0')).toBe('v');
  });

  it('ignores an unknown status and leaves empty fields out', async () => {
    await post('/runs/update', { run_id: runId, status: 'DONE' });
    const got = (await (await fetch(`${url}${API}/runs/get?run_id=${runId}`)).json()) as { run: { info: Record<string, unknown> } };
    expect(got.run.info['status']).toBe('RUNNING');
    expect(got.run.info).not.toHaveProperty('end_time');
    expect(got.run.info['user_id']).toBeUndefined(); // created without one: '' is left out
  });

  it('answers a search without hits with no runs key, and pages with next_page_token', async () => {
    const none = await post('/runs/search', { experiment_ids: ['1'], filter: "params.p0 = 'other'" });
    expect(await none.json()).toEqual({});
    for (const name of ['s1', 's2']) await post('/runs/create', { experiment_id: '1', run_name: name, start_time: 2 });
    const first = (await (await post('/runs/search', { experiment_ids: ['1'], max_results: 2 })).json()) as { runs: unknown[]; next_page_token: string };
    expect(first.runs).toHaveLength(2);
    const second = (await (await post('/runs/search', { experiment_ids: ['1'], max_results: 2, page_token: first.next_page_token })).json()) as Record<string, unknown>;
    expect(second['runs']).toHaveLength(1);
    expect(second).not.toHaveProperty('next_page_token');
  });

  it('puts, lists and serves artifacts', async () => {
    const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/1/${runId}/artifacts/d/a.txt`, { method: 'PUT', body: 'hello' });
    expect(await put.json()).toEqual({});
    const listed = await (await fetch(`${url}${API}/artifacts/list?run_id=${runId}&path=d`)).json();
    expect(listed).toEqual({ root_uri: `mlflow-artifacts:/1/${runId}/artifacts`, files: [{ path: 'd/a.txt', is_dir: false, file_size: 5 }] });
    expect(await (await fetch(`${url}/get-artifact?path=d/a.txt&run_uuid=${runId}`)).text()).toBe('hello');
  });
});
