/** TrackingStore over MLflow's REST API 2.0 (a tracking server, `mlflow server`). */
import { chunkBatch } from './batch-chunks.js';
import { invalidParameter, TrackingError } from './errors.js';
import { MlflowHttp, type HttpOptions } from './http-client.js';
import { isValidExperimentId, isValidRunId } from './ids.js';
import {
  fromWireExperiment,
  fromWireFileInfo,
  fromWireMetric,
  fromWireRun,
  fromWireRunInfo,
  toWireKeyValues,
  toWireMetric,
  type WireExperiment,
  type WireFileInfo,
  type WireMetric,
  type WireRun,
} from './rest-format.js';
import { endTimeFor, initialRunTags, startTimeFor, USER_TAG } from './run-defaults.js';
import {
  isRunStatus,
  type ArtifactEntry,
  type CreateRunOptions,
  type Experiment,
  type LogBatch,
  type Metric,
  type Run,
  type RunInfo,
  type RunStatus,
  type SearchRunsOptions,
  type TrackingStore,
} from './store.js';
import { truncateValues, validateArtifactPath, validateBatch } from './validation.js';

const API = '/api/2.0/mlflow';
const ARTIFACT_PROXY = '/api/2.0/mlflow-artifacts/artifacts';
/** The server's page size cap for searches. */
const PAGE_SIZE = 1000;
/** More pages than any real store holds (10 million runs): a server that pages forever is stopped. */
const MAX_PAGES = 10_000;

// Response shapes, as MLflow documents them (empty fields left out).
interface ExperimentResponse {
  experiment: WireExperiment;
}
interface ExperimentsPage {
  experiments?: WireExperiment[];
  next_page_token?: string;
}
interface RunResponse {
  run: WireRun;
}
interface RunsPage {
  runs?: WireRun[];
  next_page_token?: string;
}
interface MetricsPage {
  metrics?: WireMetric[];
  next_page_token?: string;
}
interface ArtifactList {
  files?: WireFileInfo[];
}

export class RestStore implements TrackingStore {
  private readonly http: MlflowHttp;
  /** Run id -> artifact URI, to address the artifact proxy without asking again. */
  private readonly artifactUris = new Map<string, string>();

  constructor(
    readonly uri: string,
    opts: HttpOptions = {},
  ) {
    this.http = new MlflowHttp(uri, opts);
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    const existing = await this.getExperimentByName(name);
    if (existing) return existing.experimentId;
    try {
      const where = `POST ${API}/experiments/create`;
      const created = expectObject(await this.http.postJson(`${API}/experiments/create`, { name }), where);
      return experimentIdIn(created['experiment_id'], where);
    } catch (err) {
      // Someone else created it between our lookup and our create.
      if (!(err instanceof TrackingError && err.code === 'RESOURCE_ALREADY_EXISTS')) throw err;
      const raced = await this.getExperimentByName(name);
      if (!raced) throw err;
      return raced.experimentId;
    }
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const where = `GET ${API}/experiments/get-by-name`;
      const found = expectObject(await this.http.getJson(`${API}/experiments/get-by-name`, { experiment_name: name }), where) as Partial<ExperimentResponse>;
      return fromWireExperiment(checkExperiment(found.experiment, where));
    } catch (err) {
      if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async listExperiments(): Promise<Experiment[]> {
    const experiments: Experiment[] = [];
    const where = `POST ${API}/experiments/search`;
    const pages = new Pages(where);
    let pageToken: string | undefined;
    do {
      const page = expectObject(
        await this.http.postJson(`${API}/experiments/search`, {
          max_results: PAGE_SIZE,
          ...(pageToken ? { page_token: pageToken } : {}),
        }),
        where,
      ) as ExperimentsPage;
      experiments.push(...listIn(page.experiments, 'experiments', where).map((e) => fromWireExperiment(checkExperiment(e, where))));
      pageToken = pages.next(page.next_page_token);
    } while (pageToken);
    return experiments;
  }

  async createRun(experimentId: string, opts: CreateRunOptions): Promise<RunInfo> {
    const tags = initialRunTags(opts.runName, opts.tags);
    const where = `POST ${API}/runs/create`;
    const response = expectObject(
      await this.http.postJson(`${API}/runs/create`, {
        experiment_id: experimentId,
        run_name: opts.runName,
        start_time: startTimeFor(opts.startTime),
        user_id: tags[USER_TAG],
        tags: toWireKeyValues(tags),
      }),
      where,
    ) as Partial<RunResponse>;
    const info = fromWireRunInfo(checkRun(response.run, where).info);
    this.artifactUris.set(info.runId, info.artifactUri);
    return info;
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateBatch(batch);
    const { params, tags } = truncateValues(batch);
    for (const chunk of chunkBatch({ metrics: batch.metrics ?? [], params, tags })) {
      await this.http.postJson(`${API}/runs/log-batch`, {
        run_id: runId,
        metrics: chunk.metrics.map(toWireMetric),
        params: toWireKeyValues(chunk.params),
        tags: toWireKeyValues(chunk.tags),
      });
    }
  }

  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    // The server silently ignores unknown statuses; fail loudly instead.
    if (!isRunStatus(status)) throw invalidParameter(`Unknown run status '${String(status)}'`);
    const end = endTimeFor(status, endTime);
    await this.http.postJson(`${API}/runs/update`, { run_id: runId, status, ...(end === undefined ? {} : { end_time: end }) });
  }

  async logArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    validateArtifactPath(artifactPath);
    await this.http.put(`${await this.artifactProxyPath(runId)}/${encodePath(artifactPath)}`, data);
  }

  /** Artifacts go through the server's proxy, which needs the run's `mlflow-artifacts:` root. */
  private async artifactProxyPath(runId: string): Promise<string> {
    let artifactUri = this.artifactUris.get(runId);
    if (artifactUri === undefined) {
      artifactUri = (await this.getRun(runId)).info.artifactUri;
      this.artifactUris.set(runId, artifactUri);
    }
    if (!artifactUri.startsWith('mlflow-artifacts:')) {
      throw new TrackingError(
        'ARTIFACTS_NOT_PROXIED',
        `Run ${runId} stores artifacts at '${artifactUri}', which exp cannot write through the server; start the server with artifact proxying (mlflow server --serve-artifacts, the default since MLflow 2.0)`,
      );
    }
    return ARTIFACT_PROXY + new URL(artifactUri).pathname.replace(/\/+$/, '');
  }

  /** MLflow's artifact proxy deletes a file or a whole folder (what `mlflow gc` uses). */
  async deleteArtifacts(runId: string, artifactPath: string): Promise<void> {
    validateArtifactPath(artifactPath);
    await this.http.delete(`${await this.artifactProxyPath(runId)}/${encodePath(artifactPath)}`);
  }

  async readArtifact(runId: string, artifactPath: string): Promise<Uint8Array> {
    validateArtifactPath(artifactPath);
    return this.http.getBytes('/get-artifact', { path: artifactPath, run_uuid: runId });
  }

  async listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]> {
    const where = `GET ${API}/artifacts/list`;
    const list = expectObject(await this.http.getJson(`${API}/artifacts/list`, { run_id: runId, path }), where) as ArtifactList;
    return listIn(list.files, 'files', where).map((f) => {
      if (!isObject(f) || typeof f.path !== 'string') throw protocolError(where, 'a file without a path', f);
      return fromWireFileInfo(f as unknown as WireFileInfo);
    });
  }

  async getRun(runId: string): Promise<Run> {
    const where = `GET ${API}/runs/get`;
    const response = expectObject(await this.http.getJson(`${API}/runs/get`, { run_id: runId }), where) as Partial<RunResponse>;
    return fromWireRun(checkRun(response.run, where));
  }

  async searchRuns(experimentIds: string[], opts: SearchRunsOptions = {}): Promise<Run[]> {
    const limit = opts.maxResults ?? Infinity;
    const runs: Run[] = [];
    const where = `POST ${API}/runs/search`;
    const pages = new Pages(where);
    let pageToken: string | undefined;
    do {
      const page = expectObject(
        await this.http.postJson(`${API}/runs/search`, {
          experiment_ids: experimentIds,
          ...(opts.filter ? { filter: opts.filter } : {}),
          ...(opts.orderBy ? { order_by: opts.orderBy } : {}),
          max_results: Math.min(PAGE_SIZE, limit - runs.length),
          ...(pageToken ? { page_token: pageToken } : {}),
        }),
        where,
      ) as RunsPage;
      runs.push(...listIn(page.runs, 'runs', where).map((r) => fromWireRun(checkRun(r, where))));
      pageToken = pages.next(page.next_page_token);
    } while (pageToken && runs.length < limit);
    return runs;
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const history: Metric[] = [];
    const where = `GET ${API}/metrics/get-history`;
    const pages = new Pages(where);
    let pageToken: string | undefined;
    do {
      const page = expectObject(
        await this.http.getJson(`${API}/metrics/get-history`, {
          run_id: runId,
          metric_key: key,
          page_token: pageToken,
        }),
        where,
      ) as MetricsPage;
      history.push(
        ...listIn(page.metrics, 'metrics', where).map((m) => {
          if (!isObject(m) || typeof m.key !== 'string') throw protocolError(where, 'a metric without a key', m);
          return fromWireMetric(m as unknown as WireMetric);
        }),
      );
      pageToken = pages.next(page.next_page_token);
    } while (pageToken);
    return history;
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * Every answer is checked against the shape MLflow documents before it is used: a proxy, a
 * different service or a broken server answering 200 with something else is a clear protocol
 * error naming the endpoint, never an internal error later, and an id from the server is
 * checked before it can become a path or a URL.
 */
function protocolError(where: string, what: string, got: unknown): TrackingError {
  const shown = JSON.stringify(got) ?? String(got);
  return new TrackingError('PROTOCOL_ERROR', `The MLflow server's answer to ${where} is not what MLflow sends: ${what} (got ${shown.length > 200 ? `${shown.slice(0, 200)}...` : shown})`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function expectObject(v: unknown, where: string): Record<string, unknown> {
  if (!isObject(v)) throw protocolError(where, 'expected a JSON object', v);
  return v;
}

/** A list field, which MLflow leaves out when empty. */
function listIn(v: unknown, field: string, where: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw protocolError(where, `'${field}' is not a list`, v);
  return v;
}

function experimentIdIn(id: unknown, where: string): string {
  if (typeof id !== 'string' || !isValidExperimentId(id)) throw protocolError(where, 'no valid experiment_id', id);
  return id;
}

function checkExperiment(e: unknown, where: string): WireExperiment {
  if (!isObject(e)) throw protocolError(where, "no 'experiment'", e);
  experimentIdIn(e['experiment_id'], where);
  return e as unknown as WireExperiment;
}

function checkRun(run: unknown, where: string): WireRun {
  if (!isObject(run) || !isObject(run['info'])) throw protocolError(where, "no 'run' with its 'info'", run);
  const info = run['info'];
  const id = info['run_id'] ?? info['run_uuid'];
  if (typeof id !== 'string' || !isValidRunId(id)) throw protocolError(where, `run id ${JSON.stringify(id) ?? 'missing'} is not an MLflow run id (letters, digits, _ and -)`, id);
  if (info['artifact_uri'] !== undefined && typeof info['artifact_uri'] !== 'string') throw protocolError(where, 'artifact_uri is not a string', info['artifact_uri']);
  return run as unknown as WireRun;
}

/** Follows next_page_token, refusing a token the server already gave (it would loop forever) and endless paging. */
class Pages {
  private readonly seen = new Set<string>();

  constructor(private readonly where: string) {}

  next(token: unknown): string | undefined {
    if (token === undefined || token === '') return undefined;
    if (typeof token !== 'string') throw protocolError(this.where, 'next_page_token is not a string', token);
    if (this.seen.has(token)) throw protocolError(this.where, 'the server sent a next_page_token it had sent before, so paging would never end', token);
    if (this.seen.size >= MAX_PAGES) throw protocolError(this.where, `more than ${MAX_PAGES} pages`, token);
    this.seen.add(token);
    return token;
  }
}
