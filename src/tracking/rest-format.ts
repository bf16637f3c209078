/**
 * MLflow REST JSON <-> exp's types. The server leaves empty fields out (value '', step 0), sends
 * NaN/Infinity as strings and, on SQLite, +-Infinity as +-Number.MAX_VALUE.
 */
import { isRunStatus, type ArtifactEntry, type Experiment, type Metric, type Run, type RunInfo } from './store.js';

export interface WireKeyValue {
  key: string;
  value?: string;
}

/** A metric as the server sends it; int64 fields may arrive as strings. */
export interface WireMetric {
  key: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
}

export interface WireRunInfo {
  run_id?: string;
  run_uuid?: string;
  experiment_id?: string;
  run_name?: string;
  user_id?: string;
  status?: string;
  start_time?: number | string;
  end_time?: number | string;
  artifact_uri?: string;
  lifecycle_stage?: string;
}

export interface WireRun {
  info: WireRunInfo;
  data?: { metrics?: WireMetric[]; params?: WireKeyValue[]; tags?: WireKeyValue[] };
}

export interface WireExperiment {
  experiment_id: string;
  name?: string;
  artifact_location?: string;
  lifecycle_stage?: string;
}

export interface WireFileInfo {
  path: string;
  is_dir?: boolean;
  file_size?: number | string;
}

export function encodeMetricValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function decodeMetricValue(value: number | string | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'string') return value === 'NaN' ? NaN : Number(value); // Number('Infinity') works
  if (value === Number.MAX_VALUE) return Infinity;
  if (value === -Number.MAX_VALUE) return -Infinity;
  return value;
}

export function toWireMetric(m: Metric): WireMetric {
  return { key: m.key, value: encodeMetricValue(m.value), timestamp: m.timestamp, step: m.step };
}

export function fromWireMetric(m: WireMetric): Metric {
  return { key: m.key, value: decodeMetricValue(m.value), timestamp: Number(m.timestamp ?? 0), step: Number(m.step ?? 0) };
}

export function toWireKeyValues(record: Record<string, string>): WireKeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

function fromWireKeyValues(list: WireKeyValue[] = []): Record<string, string> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value ?? '']));
}

export function fromWireRunInfo(info: WireRunInfo): RunInfo {
  const status = info.status ?? 'RUNNING';
  return {
    runId: info.run_id ?? info.run_uuid ?? '',
    experimentId: info.experiment_id ?? '',
    runName: info.run_name ?? '',
    userId: info.user_id ?? '',
    status: isRunStatus(status) ? status : 'RUNNING',
    startTime: Number(info.start_time ?? 0),
    ...(info.end_time === undefined ? {} : { endTime: Number(info.end_time) }),
    artifactUri: info.artifact_uri ?? '',
    lifecycleStage: info.lifecycle_stage ?? 'active',
  };
}

export function fromWireRun(run: WireRun): Run {
  const metrics: Record<string, number> = {};
  for (const m of run.data?.metrics ?? []) metrics[m.key] = decodeMetricValue(m.value);
  return {
    info: fromWireRunInfo(run.info),
    data: { metrics, params: fromWireKeyValues(run.data?.params), tags: fromWireKeyValues(run.data?.tags) },
  };
}

export function fromWireExperiment(e: WireExperiment): Experiment {
  return {
    experimentId: e.experiment_id,
    name: e.name ?? '',
    artifactLocation: e.artifact_location ?? '',
    lifecycleStage: e.lifecycle_stage ?? 'active',
  };
}

export function fromWireFileInfo(f: WireFileInfo): ArtifactEntry {
  return f.is_dir ? { path: f.path, isDir: true } : { path: f.path, isDir: false, fileSize: Number(f.file_size ?? 0) };
}
