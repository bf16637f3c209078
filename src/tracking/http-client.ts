/** HTTP to an MLflow server: auth as MLflow's clients do it, bounded retries, errors as TrackingError. */
import { TrackingError } from './errors.js';

export interface RetryOptions {
  /** Extra attempts after the first; MLflow's Python client also retries 429 and 5xx. */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected in tests to skip real waiting; `cancel` aborts when the requests are cancelled. */
  sleep?: (ms: number, cancel?: AbortSignal) => Promise<void>;
}

export interface HttpOptions {
  /** Overrides MLFLOW_HTTP_REQUEST_MAX_RETRIES (retries) and the backoff. */
  retry?: RetryOptions;
  /** Per attempt, overriding MLFLOW_HTTP_REQUEST_TIMEOUT; a timed-out attempt counts as a network error and is retried. */
  timeoutMs?: number;
  /** Where MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD and MLFLOW_HTTP_REQUEST_* are read from. */
  env?: Record<string, string | undefined>;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const DEFAULT_RETRY = { retries: 5, baseDelayMs: 1000, maxDelayMs: 16_000 };
const DEFAULT_TIMEOUT_MS = 60_000;
/** Same-origin redirects followed per request, as browsers bound them. */
const MAX_REDIRECTS = 5;

/**
 * Requests in flight (and retry waits) of this process, cancelled together by `cancelRequests`:
 * a signal must stop a run at once, not after minutes of retries against a server that does not
 * answer. Requests started afterwards (closing the run) get a fresh controller.
 */
let inFlight = new AbortController();

/** Aborts every request and retry wait in progress; each fails with a CANCELLED TrackingError. */
export function cancelRequests(): void {
  inFlight.abort();
  inFlight = new AbortController();
}

/** MLflow's own client settings (seconds; a count), so one environment configures both. */
function fromEnv(env: Record<string, string | undefined>, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    throw new TrackingError('INVALID_SETTING', `${name}=${JSON.stringify(text)} is not a number of at least ${min}`);
  }
  return value;
}

/**
 * A tracking URI with a user name or password in it: fetch refuses such URLs, and the password
 * would end up in messages and tags. Refused before anything is sent, never echoing the password.
 */
export function refuseCredentials(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TrackingError('INVALID_TRACKING_URI', `The tracking URI is not a valid URL: ${JSON.stringify(uri.replace(/\/\/[^/@]*@/, '//***@'))}`);
  }
  if (url.username || url.password) {
    throw new TrackingError(
      'CREDENTIALS_IN_TRACKING_URI',
      `The tracking URI ${url.protocol}//***@${url.host}${url.pathname === '/' ? '' : url.pathname} carries a user name or password: give ${url.protocol}//${url.host} and set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead`,
    );
  }
}

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
    refuseCredentials(baseUrl);
    this.base = baseUrl.replace(/\/+$/, '');
    const env = opts.env ?? process.env;
    this.auth = authHeader(env);
    const retries = fromEnv(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 0);
    const timeoutS = fromEnv(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 0.001);
    this.retry = {
      ...DEFAULT_RETRY,
      ...(retries === undefined ? {} : { retries: Math.floor(retries) }),
      sleep: cancellableSleep,
      ...opts.retry,
    };
    this.timeoutMs = opts.timeoutMs ?? (timeoutS === undefined ? DEFAULT_TIMEOUT_MS : timeoutS * 1000);
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

    const cancel = inFlight.signal;
    for (let attempt = 0; ; attempt++) {
      let failure: TrackingError;
      let retryAfterMs: number | undefined;
      try {
        const response = await this.fetchFollowing(url, method, headers, body, cancel);
        if (response.ok) return response;
        failure = await errorFrom(response, method, url);
        retryAfterMs = retryAfter(response);
      } catch (err) {
        if (err instanceof TrackingError) throw err;
        if (cancel.aborted) throw cancelled(method, url);
        failure = new TrackingError('NETWORK_ERROR', `Cannot reach the MLflow server at ${this.base}: ${describe(err)}`);
      }
      const retryable = failure.code === 'NETWORK_ERROR' || RETRY_STATUSES.has(failure.httpStatus ?? 0);
      if (!retryable || attempt >= this.retry.retries) throw failure;
      const backoff = Math.min(this.retry.baseDelayMs * 2 ** attempt, this.retry.maxDelayMs);
      await this.retry.sleep(Math.min(Math.max(backoff, retryAfterMs ?? 0), this.retry.maxDelayMs), cancel);
      if (cancel.aborted) throw cancelled(method, url);
    }
  }

  /**
   * fetch without its own redirect handling, which follows any host and turns a POST into a GET
   * on 301/302: a redirect within the server's origin is followed with the same method and body;
   * one to another origin is refused, since the run's data (and the token) would go there.
   */
  private async fetchFollowing(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | string | undefined,
    cancel: AbortSignal,
  ): Promise<Response> {
    let target = url;
    for (let hop = 0; ; hop++) {
      const signal = AbortSignal.any([cancel, AbortSignal.timeout(this.timeoutMs)]);
      const response = await fetch(target, { method, headers, body, signal, redirect: 'manual' });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
      if (location === null) return response;
      await response.arrayBuffer().catch(() => undefined);
      const next = new URL(location, target);
      const where = `${method} ${url.pathname}`;
      if (next.origin !== url.origin) {
        throw new TrackingError(
          'REDIRECT_REFUSED',
          `The MLflow server at ${this.base} redirected ${where} to another origin (${next.origin}); exp does not follow it, so the run's data and credentials go only to the server you named: set the tracking URI to the server's own address`,
          response.status,
        );
      }
      if (hop >= MAX_REDIRECTS) throw new TrackingError('TOO_MANY_REDIRECTS', `The MLflow server at ${this.base} redirected ${where} more than ${MAX_REDIRECTS} times`, response.status);
      target = next;
    }
  }
}

function cancelled(method: string, url: URL): TrackingError {
  return new TrackingError('CANCELLED', `${method} ${url.pathname} to the MLflow server was cancelled (exp is stopping)`);
}

/** A retry wait that ends early when the requests are cancelled. */
function cancellableSleep(ms: number, cancel?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', finish);
      done();
    }
    cancel?.addEventListener('abort', finish, { once: true });
  });
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
