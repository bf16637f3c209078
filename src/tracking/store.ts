/** The tracking API exp logs through, with one implementation per backend (file store, MLflow REST). */

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One point of a metric's history. `timestamp` is ms since the epoch; both it and `step` are integers. */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  /** Absent while the run has not ended. */
  endTime?: number;
  artifactUri: string;
  lifecycleStage: string;
}

export interface RunData {
  /** Latest value of each metric (highest step, then newest timestamp, as MLflow picks it). */
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface Run {
  info: RunInfo;
  data: RunData;
}

export interface LogBatch {
  metrics?: Metric[];
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface CreateRunOptions {
  runName: string;
  /** ms since the epoch; defaults to now. */
  startTime?: number;
  tags?: Record<string, string>;
}

export interface SearchRunsOptions {
  /** MLflow search syntax, e.g. `metrics.acc > 0.9 and params.model = 'cnn'`. */
  filter?: string;
  /** e.g. `['metrics.acc DESC']`; runs without the sort value come last. */
  orderBy?: string[];
  /** Total cap on the runs returned (all pages together). */
  maxResults?: number;
  /**
   * The params and tags the caller reads (keys, or prefixes ending in `*`); all when absent.
   * A hint that lets the file store skip files: a server answers with everything anyway.
   * Metrics always come complete (their latest values).
   */
  fields?: { params?: string[]; tags?: string[] };
}

export interface ArtifactEntry {
  /** Relative to the run's artifact root, `/`-separated. */
  path: string;
  isDir: boolean;
  fileSize?: number;
}

export interface TrackingStore {
  readonly uri: string;
  getOrCreateExperiment(name: string): Promise<string>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  listExperiments(): Promise<Experiment[]>;
  createRun(experimentId: string, opts: CreateRunOptions): Promise<RunInfo>;
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void>;
  /** `artifactPath` is relative to the run's artifact root, e.g. `model/model.json`. */
  logArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void>;
  readArtifact(runId: string, artifactPath: string): Promise<Uint8Array>;
  /** Removes the artifact file or folder at `artifactPath` (nothing when it is absent). */
  deleteArtifacts(runId: string, artifactPath: string): Promise<void>;
  /** Entries directly under `path` (the artifact root when omitted). */
  listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]>;
  getRun(runId: string): Promise<Run>;
  /** Every matching run, across all pages. */
  searchRuns(experimentIds: string[], opts?: SearchRunsOptions): Promise<Run[]>;
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
}

export function isRunStatus(value: string): value is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(value);
}

/** MLflow's "latest" point of a history: highest step, then newest timestamp, then largest value. */
export function latestMetric(history: readonly Metric[]): Metric | undefined {
  let best: Metric | undefined;
  for (const m of history) {
    if (
      !best ||
      m.step > best.step ||
      (m.step === best.step && (m.timestamp > best.timestamp || (m.timestamp === best.timestamp && m.value > best.value)))
    ) {
      best = m;
    }
  }
  return best;
}
