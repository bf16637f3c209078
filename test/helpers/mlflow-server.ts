/**
 * An in-process stand-in for an MLflow 2.x tracking server that enforces the rules measured on the
 * real one (shared/docs/mlflow.md), so tests catch what a real server would refuse. Also injects
 * failures (errors, outages) and lets tests inspect what it holds.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applySearch } from '../../src/tracking/search.js';
import { latestMetric, type Metric, type Run, type RunInfo, type RunStatus } from '../../src/tracking/store.js';

const STATUSES: readonly string[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
const KEY_PATTERN = /^[/\w.\- ]*$/;
const LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 };
const ARTIFACT_PROXY = '/api/2.0/mlflow-artifacts/artifacts/';
export const SERVER_VERSION = '2.15.1';

export interface ServerExperiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
}

export interface ServerRun {
  info: RunInfo;
  params: Map<string, string>;
  tags: Map<string, string>;
  /** Every logged point per key, in arrival order. */
  metrics: Map<string, Metric[]>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON for JSON requests, else undefined. */
  json?: unknown;
}

export interface MlflowServerOptions {
  /** Require this auth (401 otherwise). */
  auth?: { token: string } | { username: string; password: string };
  /** 'file' sends +Inf as "Infinity", 'sqlite' as 1.7976931348623157e+308 (as the real backends do). */
  backend?: 'file' | 'sqlite';
  /** Serve at most this many items per search page, whatever max_results asks (exercises page tokens). */
  maxPageSize?: number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string): ApiError => new ApiError(400, 'INVALID_PARAMETER_VALUE', message);
const missing = (message: string): ApiError => new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', message);

type Json = Record<string, unknown>;
type Handler = (req: { json: Json; query: URLSearchParams; body: Buffer; path: string }) => Json | string | Buffer;

export class MlflowTestServer {
  readonly experiments = new Map<string, ServerExperiment>();
  readonly runs = new Map<string, ServerRun>();
  /** Artifact bytes by `<exp>/<run>/artifacts/<path>`. */
  readonly artifacts = new Map<string, Buffer>();
  readonly requests: RecordedRequest[] = [];
  /** Sees each request before it is handled; 'drop' closes the connection with the request unapplied and unanswered. */
  beforeHandle?: (req: { method: string; path: string; body: Buffer }) => 'drop' | void;
  /** Sees each request once it took effect, before the answer goes out (a client killed here never hears it). */
  afterHandle?: (req: { method: string; path: string; body: Buffer }) => void;
  private failures: { status: number; retryAfter?: number }[] = [];
  private server: Server | undefined;
  private port = 0;
  private readonly routes: Record<string, Partial<Record<string, Handler>>>;

  constructor(private readonly opts: MlflowServerOptions = {}) {
    this.experiments.set('0', { experimentId: '0', name: 'Default', artifactLocation: 'mlflow-artifacts:/0', lifecycleStage: 'active' });
    const api = '/api/2.0/mlflow';
    this.routes = {
      '/health': { GET: () => 'OK' },
      '/version': { GET: () => SERVER_VERSION },
      [`${api}/experiments/create`]: { POST: ({ json }) => this.createExperiment(json) },
      [`${api}/experiments/get-by-name`]: { GET: ({ query }) => this.getExperimentByName(query) },
      [`${api}/experiments/search`]: { POST: ({ json }) => this.searchExperiments(json) },
      [`${api}/runs/create`]: { POST: ({ json }) => this.createRun(json) },
      [`${api}/runs/log-batch`]: { POST: ({ json }) => this.logBatch(json) },
      [`${api}/runs/update`]: { POST: ({ json }) => this.updateRun(json) },
      [`${api}/runs/get`]: { GET: ({ query }) => ({ run: this.runJson(this.findRun(query.get('run_id'))) }) },
      [`${api}/runs/search`]: { POST: ({ json }) => this.searchRuns(json) },
      [`${api}/metrics/get-history`]: { GET: ({ query }) => this.metricHistory(query) },
      [`${api}/artifacts/list`]: { GET: ({ query }) => this.listArtifacts(query) },
      '/get-artifact': { GET: ({ query }) => this.getArtifact(query) },
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (again, on the same port after `stop`). Resolves to the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  /** Simulates an outage: stops listening and drops open connections; state is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` requests fail with `status` (e.g. 503, 429) before any other check. */
  failNext(count: number, status = 503, retryAfterSeconds?: number): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, ...(retryAfterSeconds ? { retryAfter: retryAfterSeconds } : {}) });
  }

  requestsTo(pathEnd: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(pathEnd));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const isJson = (req.headers['content-type'] ?? '').split(';')[0]!.trim() === 'application/json';
    const recorded: RecordedRequest = { method, path: url.pathname, headers: req.headers };
    this.requests.push(recorded);
    if (this.beforeHandle?.({ method, path: url.pathname, body }) === 'drop') {
      res.destroy();
      return;
    }
    try {
      const failure = this.failures.shift();
      if (failure) {
        if (failure.retryAfter) res.setHeader('Retry-After', String(failure.retryAfter));
        throw new ApiError(failure.status, failure.status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : 'TEMPORARILY_UNAVAILABLE', 'Injected failure');
      }
      if (!this.authorized(req)) {
        res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="mlflow"' });
        res.end('You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html');
        return;
      }
      const { route, handler } = this.route(url.pathname, method);
      if (!route) return sendHtml(res, 404, 'Not Found');
      if (!handler) return sendHtml(res, 405, 'Method Not Allowed');
      if (method === 'POST' && !isJson) throw invalid("Bad Request. Content-Type must be 'application/json'.");
      let json: Json = {};
      if (method === 'POST') {
        try {
          json = JSON.parse(body.toString('utf8') || '{}') as Json;
        } catch {
          throw new ApiError(400, 'MALFORMED_REQUEST', 'Request body is not valid JSON');
        }
        recorded.json = json;
      }
      const result = handler({ json, query: url.searchParams, body, path: url.pathname });
      this.afterHandle?.({ method, path: url.pathname, body });
      if (typeof result === 'string') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(result);
      } else if (Buffer.isBuffer(result)) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(result);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(omitEmpty(result)));
      }
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL_ERROR', String(err));
      res.writeHead(e.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error_code: e.errorCode, message: e.message }));
    }
  }

  private route(path: string, method: string): { route: boolean; handler?: Handler | undefined } {
    if (path.startsWith(ARTIFACT_PROXY)) {
      const key = decodeURIComponent(path.slice(ARTIFACT_PROXY.length));
      const handlers: Record<string, Handler> = {
        PUT: ({ body }) => {
          this.artifacts.set(key, body);
          return {};
        },
        GET: () => {
          const data = this.artifacts.get(key);
          if (!data) throw missing(`Artifact ${key} not found`);
          return data;
        },
        // MLflow's proxy deletes a file or a folder; an absent path is not an error.
        DELETE: () => {
          for (const k of [...this.artifacts.keys()]) if (k === key || k.startsWith(`${key}/`)) this.artifacts.delete(k);
          return {};
        },
      };
      return { route: true, handler: handlers[method] };
    }
    const route = this.routes[path];
    return { route: route !== undefined, handler: route?.[method] };
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = this.opts.auth;
    if (!auth) return true;
    const expected =
      'token' in auth ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return req.headers.authorization === expected;
  }

  private createExperiment(json: Json): Json {
    const name = json['name'];
    if (typeof name !== 'string' || name === '') throw invalid("Missing value for required parameter 'name'.");
    if ([...this.experiments.values()].some((e) => e.name === name)) {
      throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
    }
    const id = String(this.experiments.size);
    this.experiments.set(id, { experimentId: id, name, artifactLocation: `mlflow-artifacts:/${id}`, lifecycleStage: 'active' });
    return { experiment_id: id };
  }

  private getExperimentByName(query: URLSearchParams): Json {
    const name = query.get('experiment_name');
    const found = [...this.experiments.values()].find((e) => e.name === name);
    if (!found) throw missing(`Could not find experiment with name '${name}'`);
    return { experiment: experimentJson(found) };
  }

  private searchExperiments(json: Json): Json {
    const all = [...this.experiments.values()];
    const { page, nextToken } = paginate(all, json, this.opts.maxPageSize);
    return { experiments: page.map(experimentJson), next_page_token: nextToken };
  }

  private createRun(json: Json): Json {
    const experimentId = json['experiment_id'];
    if (typeof experimentId !== 'string') throw invalid("Missing value for required parameter 'experiment_id'.");
    if (!this.experiments.has(experimentId)) throw missing(`No Experiment with id=${experimentId} exists`);
    const tags = keyValues(json['tags'], 'tag', 5000);
    const tagged = tags.get('mlflow.runName');
    const given = json['run_name'];
    if (typeof given === 'string' && tagged !== undefined && tagged !== given) {
      throw invalid(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${given}', mlflow.runName='${tagged}').`);
    }
    const runName = typeof given === 'string' && given !== '' ? given : (tagged ?? `run-${this.runs.size + 1}`);
    tags.set('mlflow.runName', runName);
    const runId = randomUUID().replaceAll('-', '');
    const info: RunInfo = {
      runId,
      experimentId,
      runName,
      userId: typeof json['user_id'] === 'string' ? json['user_id'] : '',
      status: 'RUNNING',
      startTime: typeof json['start_time'] === 'number' ? json['start_time'] : Date.now(),
      artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      lifecycleStage: 'active',
    };
    const run: ServerRun = { info, params: new Map(), tags, metrics: new Map() };
    this.runs.set(runId, run);
    return { run: this.runJson(run) };
  }

  private logBatch(json: Json): Json {
    const run = this.findRun(json['run_id']);
    const metrics = list(json['metrics'], 'metrics');
    const params = list(json['params'], 'params');
    const tags = list(json['tags'], 'tags');
    for (const [kind, items] of [['metrics', metrics], ['params', params], ['tags', tags]] as const) {
      if (items.length > LIMITS[kind]) {
        throw invalid(`A batch logging request can contain at most ${LIMITS[kind]} ${kind}. Got ${items.length} ${kind}.`);
      }
    }
    const total = metrics.length + params.length + tags.length;
    if (total > LIMITS.total) throw invalid(`A batch logging request can contain at most ${LIMITS.total} total entities. Got ${total}.`);
    // Everything is checked before anything is stored, as in one database transaction.
    const points = metrics.map(parseMetric);
    uniqueKeys(points.map((m) => m.key), 'metric');
    const newParams = keyValues(params, 'param', 6000);
    const newTags = keyValues(tags, 'tag', 5000);
    for (const [key, value] of newParams) {
      const old = run.params.get(key);
      if (old !== undefined && old !== value) {
        throw invalid(`Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${run.info.runId}'. Attempted logging new value '${value}'.`);
      }
    }
    for (const m of points) {
      if (!run.metrics.has(m.key)) run.metrics.set(m.key, []);
      run.metrics.get(m.key)!.push(m);
    }
    for (const [k, v] of newParams) run.params.set(k, v);
    for (const [k, v] of newTags) run.tags.set(k, v);
    return {};
  }

  private updateRun(json: Json): Json {
    const run = this.findRun(json['run_id']);
    const status = json['status'];
    if (typeof status === 'string' && STATUSES.includes(status)) run.info.status = status as RunStatus; // unknown: ignored, as MLflow does
    if (typeof json['end_time'] === 'number') run.info.endTime = json['end_time'];
    return { run_info: this.runInfoJson(run.info) };
  }

  private searchRuns(json: Json): Json {
    const ids = json['experiment_ids'];
    if (!Array.isArray(ids)) throw invalid("Missing value for required parameter 'experiment_ids'.");
    const candidates = [...this.runs.values()].filter((r) => ids.includes(r.info.experimentId));
    const filter = typeof json['filter'] === 'string' ? json['filter'] : undefined;
    const orderBy = Array.isArray(json['order_by']) ? json['order_by'].map(String) : undefined;
    let found: Run[];
    try {
      found = applySearch(candidates.map(asRun), { filter, orderBy });
    } catch (err) {
      throw invalid(err instanceof Error ? err.message : String(err));
    }
    const { page, nextToken } = paginate(found, json, this.opts.maxPageSize);
    return { runs: page.map((r) => this.runJson(this.runs.get(r.info.runId)!)), next_page_token: nextToken };
  }

  private metricHistory(query: URLSearchParams): Json {
    const run = this.findRun(query.get('run_id'));
    const history = run.metrics.get(query.get('metric_key') ?? '') ?? [];
    return { metrics: history.map((m) => this.metricJson(m)) };
  }

  private listArtifacts(query: URLSearchParams): Json {
    const run = this.findRun(query.get('run_id'));
    const root = `${run.info.experimentId}/${run.info.runId}/artifacts/`;
    const dir = query.get('path') ? `${query.get('path')}/` : '';
    const entries = new Map<string, Json>();
    for (const [key, data] of this.artifacts) {
      if (!key.startsWith(root + dir)) continue;
      const [name, ...deeper] = key.slice(root.length + dir.length).split('/');
      const path = dir + name;
      entries.set(path, deeper.length > 0 ? { path, is_dir: true } : { path, is_dir: false, file_size: data.length });
    }
    return { root_uri: run.info.artifactUri, files: [...entries.values()] };
  }

  private getArtifact(query: URLSearchParams): Buffer {
    const run = this.findRun(query.get('run_uuid'));
    const data = this.artifacts.get(`${run.info.experimentId}/${run.info.runId}/artifacts/${query.get('path')}`);
    if (!data) throw missing(`Artifact ${query.get('path')} not found`);
    return data;
  }

  private findRun(id: unknown): ServerRun {
    const run = typeof id === 'string' ? this.runs.get(id) : undefined;
    if (!run) throw missing(`Run with id=${String(id)} not found`);
    return run;
  }

  private runInfoJson(info: RunInfo): Json {
    return {
      run_id: info.runId,
      run_uuid: info.runId,
      experiment_id: info.experimentId,
      run_name: info.runName,
      user_id: info.userId,
      status: info.status,
      start_time: info.startTime,
      end_time: info.endTime,
      artifact_uri: info.artifactUri,
      lifecycle_stage: info.lifecycleStage,
    };
  }

  private runJson(run: ServerRun): Json {
    const latest = [...run.metrics.values()].map((h) => latestMetric(h)!);
    return {
      info: this.runInfoJson(run.info),
      data: {
        metrics: latest.map((m) => this.metricJson(m)),
        params: [...run.params].map(([key, value]) => ({ key, value })),
        tags: [...run.tags].map(([key, value]) => ({ key, value })),
      },
    };
  }

  private metricJson(m: Metric): Json {
    let value: number | string = m.value;
    if (Number.isNaN(m.value)) value = 'NaN';
    else if (Math.abs(m.value) === Infinity) {
      const sign = m.value > 0 ? 1 : -1;
      value = this.opts.backend === 'sqlite' ? sign * Number.MAX_VALUE : sign > 0 ? 'Infinity' : '-Infinity';
    }
    return { key: m.key, value, timestamp: m.timestamp, step: m.step };
  }
}

function asRun(r: ServerRun): Run {
  const metrics: Record<string, number> = {};
  for (const [key, history] of r.metrics) metrics[key] = latestMetric(history)!.value;
  return { info: r.info, data: { metrics, params: Object.fromEntries(r.params), tags: Object.fromEntries(r.tags) } };
}

function experimentJson(e: ServerExperiment): Json {
  return { experiment_id: e.experimentId, name: e.name, artifact_location: e.artifactLocation, lifecycle_stage: e.lifecycleStage };
}

function paginate<T>(all: T[], json: Json, maxPageSize = Infinity): { page: T[]; nextToken?: string | undefined } {
  const asked = typeof json['max_results'] === 'number' ? json['max_results'] : 1000;
  if (asked < 1 || asked > 50_000) throw invalid(`Invalid value ${asked} for parameter 'max_results' supplied.`);
  const max = Math.min(asked, maxPageSize);
  const token = json['page_token'];
  const offset = typeof token === 'string' ? Number(JSON.parse(Buffer.from(token, 'base64').toString()).offset) : 0;
  const page = all.slice(offset, offset + max);
  const next = offset + max < all.length ? Buffer.from(JSON.stringify({ offset: offset + max })).toString('base64') : undefined;
  return { page, nextToken: next };
}

function list(value: unknown, name: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`'${name}' must be a list`);
  return value;
}

function validateKey(key: unknown, kind: string): string {
  if (typeof key !== 'string') throw invalid(`Missing value for required parameter '${kind} key'.`);
  const escapes = key.startsWith('/') || key.startsWith('..') || key.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (!KEY_PATTERN.test(key) || key.length > 250 || (key !== '' && escapes)) {
    throw invalid(`Invalid value "${key}" for parameter '${kind} key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`);
  }
  return key;
}

function uniqueKeys(keys: string[], kind: string): void {
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw invalid(`Duplicate ${kind} keys have been submitted: ['${dup}']. Please ensure the request contains only one ${kind} value per ${kind} key.`);
}

function keyValues(items: unknown, kind: string, maxValue: number): Map<string, string> {
  const pairs = list(items, `${kind}s`).map((item) => {
    const kv = (item ?? {}) as Json;
    const value = kv['value'] ?? '';
    return [validateKey(kv['key'], kind), String(value).slice(0, maxValue)] as const;
  });
  uniqueKeys(pairs.map(([k]) => k), kind);
  return new Map(pairs);
}

function parseMetric(item: unknown): Metric {
  const m = (item ?? {}) as Json;
  const key = validateKey(m['key'], 'metric');
  const raw = m['value'];
  const value = raw === 'NaN' ? NaN : raw === 'Infinity' ? Infinity : raw === '-Infinity' ? -Infinity : raw;
  if (typeof value !== 'number') throw invalid(`Got invalid value ${String(raw)} for metric '${key}'`);
  const { timestamp, step = 0 } = m;
  if (!Number.isInteger(timestamp) || !Number.isInteger(step)) {
    throw invalid(`Metric '${key}' needs integer timestamp and step, got ${String(timestamp)} and ${String(step)}`);
  }
  return { key, value, timestamp: timestamp as number, step: step as number };
}

function sendHtml(res: ServerResponse, status: number, title: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n`);
}

/** Leaves out what MLflow's JSON leaves out: undefined, empty strings and empty lists. */
function omitEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(omitEmpty);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = omitEmpty(v);
  }
  return out;
}
