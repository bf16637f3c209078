/**
 * A tracking server that misbehaves (issue 17): answers of the wrong shape, run ids that are
 * paths, endless paging, redirects to another host, requests it never answers. Each case is a
 * real HTTP server on 127.0.0.1 scripted to answer one way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cancelRequests, MlflowHttp } from '../../src/tracking/http-client.js';
import { openStore } from '../../src/tracking/open-store.js';
import { RestStore } from '../../src/tracking/rest-store.js';

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization?: string;
}

/** A server whose every answer `answer` decides; it records what it was asked. */
class ScriptedServer {
  readonly seen: Seen[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(private readonly answer: (req: Seen, res: ServerResponse) => void) {}

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks).toString(), authorization: req.headers.authorization };
        this.seen.push(seen);
        this.answer(seen, res);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const json = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const servers: ScriptedServer[] = [];
async function serve(answer: (req: Seen, res: ServerResponse) => void): Promise<{ server: ScriptedServer; url: string }> {
  const server = new ScriptedServer(answer);
  servers.push(server);
  return { server, url: await server.start() };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const noWait = { retries: 2, sleep: async () => undefined };
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error & { code?: string });

describe('answers of the wrong shape', () => {
  it('runs/create answering {} is a protocol error naming the endpoint, not an internal error', async () => {
    const { url } = await serve((_req, res) => json(res, {}));
    const err = await failure(new RestStore(url, { env: {}, retry: noWait }).createRun('1', { runName: 'r' }));
    expect(err).toMatchObject({ name: 'TrackingError', code: 'PROTOCOL_ERROR' });
    expect(err!.message).toContain('POST /api/2.0/mlflow/runs/create');
  });

  it('other endpoints too: a list that is no list, an experiment without an id, a run without info', async () => {
    const { url } = await serve((req, res) => {
      if (req.path.includes('runs/search')) json(res, { runs: 'nope' });
      else if (req.path.includes('get-by-name')) json(res, { experiment: { name: 'x' } });
      else if (req.path.includes('runs/get')) json(res, { run: {} });
      else if (req.path.includes('get-history')) json(res, { metrics: [7] });
      else json(res, { files: {} });
    });
    const store = new RestStore(url, { env: {}, retry: noWait });
    for (const [call, endpoint] of [
      [() => store.searchRuns(['1']), 'runs/search'],
      [() => store.getExperimentByName('x'), 'experiments/get-by-name'],
      [() => store.getRun('abc'), 'runs/get'],
      [() => store.getMetricHistory('abc', 'loss'), 'metrics/get-history'],
      [() => store.listArtifacts('abc'), 'artifacts/list'],
    ] as const) {
      const err = await failure(call());
      expect(err, endpoint).toMatchObject({ code: 'PROTOCOL_ERROR' });
      expect(err!.message).toContain(endpoint);
    }
  });

  it('a server-chosen run id that is a path is refused before it is used', async () => {
    for (const id of ['../../../../victim', '/etc', 'a/b']) {
      const { url } = await serve((_req, res) => json(res, { run: { info: { run_id: id, experiment_id: '1', artifact_uri: `mlflow-artifacts:/1/${id}/artifacts` } } }));
      const err = await failure(new RestStore(url, { env: {}, retry: noWait }).createRun('1', { runName: 'r' }));
      expect(err, id).toMatchObject({ code: 'PROTOCOL_ERROR' });
      expect(err!.message).toContain('is not an MLflow run id');
    }
  });

  it('search results carrying such an id are refused too', async () => {
    const { url } = await serve((_req, res) => json(res, { runs: [{ info: { run_id: '../x' } }] }));
    expect(await failure(new RestStore(url, { env: {}, retry: noWait }).searchRuns(['1']))).toMatchObject({ code: 'PROTOCOL_ERROR' });
  });
});

describe('paging', () => {
  it('stops on a next_page_token the server already sent instead of looping forever', async () => {
    const { server, url } = await serve((_req, res) => json(res, { runs: [{ info: { run_id: 'a1', status: 'FINISHED' } }], next_page_token: 'same' }));
    const err = await failure(new RestStore(url, { env: {}, retry: noWait }).searchRuns(['1']));
    expect(err).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(err!.message).toContain('next_page_token');
    expect(server.seen).toHaveLength(2);
  });
});

describe('redirects', () => {
  it('are not followed to another origin, which never sees the request; the error says so', async () => {
    const elsewhere = await serve((_req, res) => json(res, { experiment_id: '1' }));
    const { url } = await serve((req, res) => {
      res.writeHead(307, { Location: `${elsewhere.url}${req.path}` });
      res.end();
    });
    const err = await failure(new RestStore(url, { env: { MLFLOW_TRACKING_TOKEN: 't0ken' }, retry: noWait }).createRun('1', { runName: 'r' }));
    expect(err).toMatchObject({ code: 'REDIRECT_REFUSED' });
    expect(err!.message).toContain(elsewhere.url);
    expect(err!.message).toContain('does not follow');
    expect(elsewhere.server.seen).toEqual([]);
  });

  it('are followed within the server, keeping the method and body', async () => {
    const { server, url } = await serve((req, res) => {
      if (req.path.startsWith('/old')) {
        res.writeHead(301, { Location: req.path.slice('/old'.length) });
        res.end();
      } else json(res, { experiment_id: '7' });
    });
    const created = await new MlflowHttp(`${url}/old`, { env: {}, retry: noWait }).postJson('/api/2.0/mlflow/experiments/create', { name: 'x' });
    expect(created).toEqual({ experiment_id: '7' });
    expect(server.seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ['POST', '/old/api/2.0/mlflow/experiments/create', '{"name":"x"}'],
      ['POST', '/api/2.0/mlflow/experiments/create', '{"name":"x"}'],
    ]);
  });
});

describe('credentials in the tracking URI', () => {
  it('are refused before anything is sent, pointing at the variables, never printing the password', async () => {
    const { server, url } = await serve((_req, res) => json(res, {}));
    const withCredentials = url.replace('http://', 'http://alice:s3cret@');
    for (const open of [() => openStore(withCredentials, { env: {} }), () => new RestStore(withCredentials, { env: {} })]) {
      let err: Error | undefined;
      try {
        open();
      } catch (e) {
        err = e as Error;
      }
      expect(err).toMatchObject({ code: 'CREDENTIALS_IN_TRACKING_URI' });
      expect(err!.message).toContain('MLFLOW_TRACKING_USERNAME');
      expect(err!.message).not.toContain('s3cret');
      expect(err!.message).not.toContain('alice');
    }
    expect(server.seen).toEqual([]);
  });
});

describe("MLflow's request settings and cancelling", () => {
  const never = () => serve(() => undefined); // accepts, reads the request, never answers

  it('honours MLFLOW_HTTP_REQUEST_TIMEOUT and MLFLOW_HTTP_REQUEST_MAX_RETRIES', async () => {
    const { server, url } = await never();
    const started = Date.now();
    const err = await failure(
      new RestStore(url, { env: { MLFLOW_HTTP_REQUEST_TIMEOUT: '0.3', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1' }, retry: { sleep: async () => undefined } }).getRun('abc'),
    );
    expect(err).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(server.seen).toHaveLength(2); // the first attempt and one retry
    expect(Date.now() - started).toBeLessThan(5_000); // not the default 60 s per attempt
  });

  it('refuses a setting that is no number', () => {
    expect(() => new MlflowHttp('http://127.0.0.1:1', { env: { MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' } })).toThrow(/MLFLOW_HTTP_REQUEST_TIMEOUT="soon" is not a number/);
  });

  it('cancelRequests stops a request the server never answers, and its retries, at once', async () => {
    const { server, url } = await never();
    const pending = failure(new RestStore(url, { env: {} }).getRun('abc')); // default: 60 s per attempt, 5 retries
    while (server.seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    const cancelledAt = Date.now();
    cancelRequests();
    const err = await pending;
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(server.seen).toHaveLength(1);
    // Requests made afterwards (closing the run) are not cancelled.
    const { url: ok } = await serve((_req, res) => json(res, { experiment_id: '3' }));
    expect(await new MlflowHttp(ok, { env: {} }).postJson('/x', {})).toEqual({ experiment_id: '3' });
  });

  it('cancelRequests also ends a wait between retries', async () => {
    const { url } = await serve((_req, res) => json(res, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' }, 503));
    const pending = failure(new RestStore(url, { env: {}, retry: { baseDelayMs: 30_000, maxDelayMs: 30_000 } }).getRun('abc'));
    await new Promise((r) => setTimeout(r, 200));
    const cancelledAt = Date.now();
    cancelRequests();
    expect(await pending).toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
  });
});
