/**
 * Pushes runs from a local file store to a tracking server: runs logged offline by ResilientStore
 * (or any file-store runs). Safe to repeat: points already on the server are not sent again, and a
 * finished run is tagged as synced and skipped afterwards.
 */
import type { FileStore } from './file-store.js';
import { TrackingError } from './errors.js';
import type { Metric, Run, TrackingStore } from './store.js';

/** Bookkeeping tags on local runs; never sent to the server. */
export const SYNC_TAGS = {
  /** The server a run belongs to. */
  remoteUri: 'exp.sync.remote_uri',
  /** The server's id for the run, once it exists there. */
  remoteRunId: 'exp.sync.remote_run_id',
  /** Set (to the ms time) once a finished run is completely on the server. */
  syncedAt: 'exp.sync.synced_at',
} as const;
const SYNC_TAG_PREFIX = 'exp.sync.';

export interface SyncResult {
  localRunId: string;
  remoteRunId: string;
  /** Counts of what this call sent. */
  metrics: number;
  params: number;
  tags: number;
  artifacts: number;
  /** The run had ended, so it is marked synced and later syncs skip it. */
  complete: boolean;
  /** Artifact entries that are no regular file (a symlink, a FIFO), left out. */
  skipped: string[];
}

/**
 * One server however its URI is spelt: scheme and host in lower case, the default port left
 * out, `localhost` and `[::1]` as 127.0.0.1, no trailing slash. A run logged offline for
 * `http://localhost:5000` belongs to `http://127.0.0.1:5000/` too.
 */
export function sameServer(a: string, b: string): boolean {
  return serverKey(a) === serverKey(b);
}

function serverKey(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri;
  }
  const host = url.hostname === 'localhost' || url.hostname === '[::1]' ? '127.0.0.1' : url.hostname;
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}${url.pathname.replace(/\/+$/, '')}`;
}

/** Local runs not yet completely synced to `remoteUri` (untagged runs count as belonging to any server). */
export async function pendingRuns(local: FileStore, remoteUri: string): Promise<Run[]> {
  const experiments = await local.listExperiments();
  const runs = await local.searchRuns(experiments.map((e) => e.experimentId));
  return runs.filter((r) => {
    const target = r.data.tags[SYNC_TAGS.remoteUri];
    return r.data.tags[SYNC_TAGS.syncedAt] === undefined && (target === undefined || sameServer(target, remoteUri));
  });
}

/** Local runs not synced that belong to another server than `remoteUri`: said, so "nothing to sync" is never claimed for them. */
export async function otherServersRuns(local: FileStore, remoteUri: string): Promise<{ runId: string; remoteUri: string }[]> {
  const experiments = await local.listExperiments();
  const runs = await local.searchRuns(experiments.map((e) => e.experimentId));
  return runs
    .filter((r) => {
      const target = r.data.tags[SYNC_TAGS.remoteUri];
      return r.data.tags[SYNC_TAGS.syncedAt] === undefined && target !== undefined && !sameServer(target, remoteUri);
    })
    .map((r) => ({ runId: r.info.runId, remoteUri: r.data.tags[SYNC_TAGS.remoteUri]! }));
}

export async function syncAll(
  local: FileStore,
  remote: TrackingStore,
  opts: { onRun?: (result: SyncResult) => void } = {},
): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (const run of await pendingRuns(local, remote.uri)) {
    const result = await syncRun(local, remote, run.info.runId);
    opts.onRun?.(result);
    results.push(result);
  }
  return results;
}

export async function syncRun(local: FileStore, remote: TrackingStore, localRunId: string): Promise<SyncResult> {
  const run = await local.getRun(localRunId);
  const { tags } = run.data;
  const target = tags[SYNC_TAGS.remoteUri];
  if (target !== undefined && !sameServer(target, remote.uri)) {
    throw new TrackingError('SYNC_TARGET_MISMATCH', `Run ${localRunId} belongs to ${target}, not ${remote.uri}`);
  }
  const result: SyncResult = { localRunId, remoteRunId: tags[SYNC_TAGS.remoteRunId] ?? '', metrics: 0, params: 0, tags: 0, artifacts: 0, complete: true, skipped: [] };
  if (tags[SYNC_TAGS.syncedAt] !== undefined) return result;

  const userTags = Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith(SYNC_TAG_PREFIX)));
  const existedRemotely = result.remoteRunId !== '';
  if (!existedRemotely) {
    const experiment = (await local.listExperiments()).find((e) => e.experimentId === run.info.experimentId);
    if (!experiment) throw new TrackingError('MALFORMED_STORE', `Run ${localRunId} has no experiment in ${local.root}`);
    const experimentId = await remote.getOrCreateExperiment(experiment.name);
    const created = await remote.createRun(experimentId, { runName: run.info.runName, startTime: run.info.startTime, tags: userTags });
    result.remoteRunId = created.runId;
    // Recorded at once, so an interrupted sync resumes this run instead of creating another.
    await local.logBatch(localRunId, { tags: { [SYNC_TAGS.remoteRunId]: created.runId } });
  }

  const metrics: Metric[] = [];
  for (const key of Object.keys(run.data.metrics)) {
    const history = await local.getMetricHistory(localRunId, key);
    metrics.push(...(existedRemotely ? without(history, await remote.getMetricHistory(result.remoteRunId, key)) : history));
  }
  await remote.logBatch(result.remoteRunId, { metrics, params: run.data.params, tags: userTags });
  Object.assign(result, { metrics: metrics.length, params: Object.keys(run.data.params).length, tags: Object.keys(userTags).length });

  const { files, skipped } = await local.artifactFiles(localRunId);
  result.skipped = skipped;
  for (const path of files) {
    await remote.logArtifact(result.remoteRunId, path, await local.readArtifact(localRunId, path));
    result.artifacts++;
  }

  result.complete = run.info.status !== 'RUNNING';
  if (result.complete) {
    await remote.updateRun(result.remoteRunId, run.info.status, run.info.endTime);
    await local.logBatch(localRunId, { tags: { [SYNC_TAGS.syncedAt]: String(Date.now()) } });
  }
  return result;
}

/** `points` minus those already in `sent`, counting duplicates (a point may legitimately repeat). */
function without(points: Metric[], sent: Metric[]): Metric[] {
  const id = (m: Metric): string => `${m.step} ${m.timestamp} ${m.value}`;
  const remaining = new Map<string, number>();
  for (const m of sent) remaining.set(id(m), (remaining.get(id(m)) ?? 0) + 1);
  return points.filter((m) => {
    const left = remaining.get(id(m)) ?? 0;
    if (left > 0) remaining.set(id(m), left - 1);
    return left === 0;
  });
}
