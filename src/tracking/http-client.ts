/** HTTP to an MLflow server: auth as MLflow's clients do it, bounded retries, errors as TrackingError. */
import { TrackingError } from './errors.js';

export interface RetryOptions {
  /** Extra attempts after the first; MLflow's Python client also retries 429 and 5xx. */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected in tests to skip real waiting. */
  sleep?: (ms: number) => Promise<void>;
}

export interface HttpOptions {
  retry?: RetryOptions;
  /** Per attempt; a timed-out attempt counts as a network error and is retried. */
  timeoutMs?: number;
  /** Where MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD are read from. */
  env?: Record<string, string | undefined>;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const DEFAULT_RETRY = { retries: 5, baseDelayMs: 1000, maxDelayMs: 16_000 };

type Query = Record<string, string | undefined>;

interface MlflowErrorBody {
  error_code?: unknown;
  message?: unknown;
}

export function authHeader(env: Record<string, string | undefined>): string | undefined {
  const token = env['MLFLOW_TRACKING_TOKEN'];
  if (token) return `Bearer ${token}`;
  const user = env['MLFLOW_TRACKING_USERNAME'];
  const password = env['MLFLOW_TRACKING_PASSWORD'];
  if (user && password !== undefined) return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return undefined;
}

export class MlflowHttp {
  private readonly base: string;
  private readonly auth: string | undefined;
  private readonly retry: Required<RetryOptions>;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, opts: HttpOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.auth = authHeader(opts.env ?? process.env);
    this.retry = {
      ...DEFAULT_RETRY,
      sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
      ...opts.retry,
    };
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async getJson(path: string, query: Query = {}): Promise<unknown> {
    return readJson(await this.send('GET', path, query), `GET ${path}`);
  }

  async postJson(path: string, body: object): Promise<unknown> {
    return readJson(await this.send('POST', path, {}, JSON.stringify(body), 'application/json'), `POST ${path}`);
  }

  async put(path: string, data: Uint8Array | string): Promise<void> {
    await (await this.send('PUT', path, {}, data, 'application/octet-stream')).arrayBuffer();
  }

  async delete(path: string): Promise<void> {
    await (await this.send('DELETE', path, {})).arrayBuffer();
  }

  async getBytes(path: string, query: Query = {}): Promise<Uint8Array> {
    return new Uint8Array(await (await this.send('GET', path, query)).arrayBuffer());
  }

  private async send(
    method: string,
    path: string,
    query: Query,
    body?: Uint8Array | string,
    contentType?: string,
  ): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (contentType) headers['Content-Type'] = contentType;
    if (this.auth) headers['Authorization'] = this.auth;

    for (let attempt = 0; ; attempt++) {
      let failure: TrackingError;
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        if (response.ok) return response;
        failure = await errorFrom(response, method, url);
        retryAfterMs = retryAfter(response);
      } catch (err) {
        if (err instanceof TrackingError) throw err;
        failure = new TrackingError('NETWORK_ERROR', `Cannot reach the MLflow server at ${this.base}: ${describe(err)}`);
      }
      const retryable = failure.code === 'NETWORK_ERROR' || RETRY_STATUSES.has(failure.httpStatus ?? 0);
      if (!retryable || attempt >= this.retry.retries) throw failure;
      const backoff = Math.min(this.retry.baseDelayMs * 2 ** attempt, this.retry.maxDelayMs);
      await this.retry.sleep(Math.min(Math.max(backoff, retryAfterMs ?? 0), this.retry.maxDelayMs));
    }
  }
}

/** A proxy or a wrong URL can answer 200 with HTML; say so instead of failing in JSON.parse. */
async function readJson(response: Response, where: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TrackingError('BAD_RESPONSE', `Expected JSON from the MLflow server for ${where}, got: ${text.slice(0, 200)}`);
  }
}

async function errorFrom(response: Response, method: string, url: URL): Promise<TrackingError> {
  const text = await response.text().catch(() => '');
  const where = `${method} ${url.pathname}`;
  let body: MlflowErrorBody | undefined;
  try {
    body = JSON.parse(text) as MlflowErrorBody;
  } catch {
    body = undefined; // HTML or plain text: not an MLflow error body
  }
  if (body && typeof body.error_code === 'string') {
    const message = typeof body.message === 'string' ? body.message : body.error_code;
    return new TrackingError(body.error_code, `MLflow server refused ${where}: ${message}`, response.status);
  }
  const hint =
    response.status === 401 || response.status === 403
      ? ' (check MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)'
      : '';
  return new TrackingError(
    `HTTP_${response.status}`,
    `MLflow server answered ${response.status} ${response.statusText} to ${where}${hint}`,
    response.status,
  );
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici hides the socket error (ECONNREFUSED, ...) in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
