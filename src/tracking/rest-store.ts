/** TrackingStore over MLflow's REST API 2.0 (a tracking server, `mlflow server`). */
import { chunkBatch } from './batch-chunks.js';
import { invalidParameter, TrackingError } from './errors.js';
import { MlflowHttp, type HttpOptions } from './http-client.js';
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
      const created = (await this.http.postJson(`${API}/experiments/create`, { name })) as { experiment_id: string };
      return created.experiment_id;
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
      const found = (await this.http.getJson(`${API}/experiments/get-by-name`, { experiment_name: name })) as ExperimentResponse;
      return fromWireExperiment(found.experiment);
    } catch (err) {
      if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async listExperiments(): Promise<Experiment[]> {
    const experiments: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = (await this.http.postJson(`${API}/experiments/search`, {
        max_results: PAGE_SIZE,
        ...(pageToken ? { page_token: pageToken } : {}),
      })) as ExperimentsPage;
      experiments.push(...(page.experiments ?? []).map(fromWireExperiment));
      pageToken = page.next_page_token;
    } while (pageToken);
    return experiments;
  }

  async createRun(experimentId: string, opts: CreateRunOptions): Promise<RunInfo> {
    const tags = initialRunTags(opts.runName, opts.tags);
    const response = (await this.http.postJson(`${API}/runs/create`, {
      experiment_id: experimentId,
      run_name: opts.runName,
      start_time: startTimeFor(opts.startTime),
      user_id: tags[USER_TAG],
      tags: toWireKeyValues(tags),
    })) as RunResponse;
    const info = fromWireRunInfo(response.run.info);
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
    const list = (await this.http.getJson(`${API}/artifacts/list`, { run_id: runId, path })) as ArtifactList;
    return (list.files ?? []).map(fromWireFileInfo);
  }

  async getRun(runId: string): Promise<Run> {
    const response = (await this.http.getJson(`${API}/runs/get`, { run_id: runId })) as RunResponse;
    return fromWireRun(response.run);
  }

  async searchRuns(experimentIds: string[], opts: SearchRunsOptions = {}): Promise<Run[]> {
    const limit = opts.maxResults ?? Infinity;
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = (await this.http.postJson(`${API}/runs/search`, {
        experiment_ids: experimentIds,
        ...(opts.filter ? { filter: opts.filter } : {}),
        ...(opts.orderBy ? { order_by: opts.orderBy } : {}),
        max_results: Math.min(PAGE_SIZE, limit - runs.length),
        ...(pageToken ? { page_token: pageToken } : {}),
      })) as RunsPage;
      runs.push(...(page.runs ?? []).map(fromWireRun));
      pageToken = page.next_page_token;
    } while (pageToken && runs.length < limit);
    return runs;
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const history: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = (await this.http.getJson(`${API}/metrics/get-history`, {
        run_id: runId,
        metric_key: key,
        page_token: pageToken,
      })) as MetricsPage;
      history.push(...(page.metrics ?? []).map(fromWireMetric));
      pageToken = page.next_page_token;
    } while (pageToken);
    return history;
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
