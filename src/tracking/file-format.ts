/** Byte formats of MLflow's file store: experiment and run meta.yaml, metric lines. */
import YAML from 'yaml';
import { TrackingError } from './errors.js';
import { RUN_STATUSES, type Experiment, type Metric, type RunInfo, type RunStatus } from './store.js';

/** MLflow reads meta.yaml with PyYAML (YAML 1.1): quote what 1.1 would read as non-strings (`yes`, `on`). */
const YAML_OPTIONS = { version: '1.1', singleQuote: true, lineWidth: 0 } as const;
/** MLflow's SourceType.LOCAL. */
const SOURCE_TYPE_LOCAL = 4;

function malformed(file: string, problem: string): TrackingError {
  return new TrackingError('MALFORMED_STORE', `Malformed MLflow file store: ${file}: ${problem}`);
}

export function experimentMetaYaml(e: Experiment): string {
  // Key order as MLflow's docs show it; readers do not care, people comparing files do.
  return YAML.stringify(
    {
      experiment_id: e.experimentId,
      name: e.name,
      artifact_location: e.artifactLocation,
      lifecycle_stage: e.lifecycleStage,
    },
    YAML_OPTIONS,
  );
}

export function parseExperimentMeta(text: string, file: string): Experiment {
  const meta = parseYamlMap(text, file);
  return {
    experimentId: String(meta['experiment_id'] ?? ''),
    name: requireString(meta, 'name', file),
    artifactLocation: String(meta['artifact_location'] ?? ''),
    lifecycleStage: String(meta['lifecycle_stage'] ?? 'active'),
  };
}

export function runMetaYaml(info: RunInfo): string {
  // Keys sorted, as PyYAML writes them.
  return YAML.stringify(
    {
      artifact_uri: info.artifactUri,
      end_time: info.endTime ?? null,
      entry_point_name: '',
      experiment_id: info.experimentId,
      lifecycle_stage: info.lifecycleStage,
      run_id: info.runId,
      run_name: info.runName,
      run_uuid: info.runId,
      source_name: '',
      source_type: SOURCE_TYPE_LOCAL,
      source_version: '',
      start_time: info.startTime,
      status: RUN_STATUSES.indexOf(info.status) + 1,
      tags: [],
      user_id: info.userId,
    },
    YAML_OPTIONS,
  );
}

export function parseRunMeta(text: string, file: string): RunInfo {
  const meta = parseYamlMap(text, file);
  const statusCode = meta['status'];
  const status: RunStatus | undefined =
    typeof statusCode === 'number' ? RUN_STATUSES[statusCode - 1] : undefined;
  if (!status) throw malformed(file, `status must be a number from 1 to 5, got ${String(statusCode)}`);
  const endTime = meta['end_time'];
  return {
    runId: String(meta['run_uuid'] ?? meta['run_id'] ?? ''),
    experimentId: String(meta['experiment_id'] ?? ''),
    runName: String(meta['run_name'] ?? ''),
    userId: String(meta['user_id'] ?? ''),
    status,
    startTime: Number(meta['start_time'] ?? 0),
    ...(typeof endTime === 'number' ? { endTime } : {}),
    artifactUri: String(meta['artifact_uri'] ?? ''),
    lifecycleStage: String(meta['lifecycle_stage'] ?? 'active'),
  };
}

function parseYamlMap(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text, { version: '1.1' });
  } catch (err) {
    throw malformed(file, err instanceof Error ? err.message : String(err));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed(file, 'not a YAML mapping');
  return parsed as Record<string, unknown>;
}

function requireString(meta: Record<string, unknown>, key: string, file: string): string {
  const value = meta[key];
  if (typeof value !== 'string') throw malformed(file, `${key} must be a string`);
  return value;
}

/** `"<int ms> <value> <int step>\n"`, the value as Python prints floats (`nan`, `inf`, `-inf`). */
export function metricLine(m: Metric): string {
  return `${m.timestamp} ${formatMetricValue(m.value)} ${m.step}\n`;
}

function formatMetricValue(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

const SPECIAL_VALUES: Record<string, number> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
};

export function parseMetricLines(key: string, text: string, file: string): Metric[] {
  if (text.length === 0) throw malformed(file, 'empty metric file');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((line, i) => {
    const fields = line.split(' ');
    const [timestamp = '', value = '', step = '0'] = fields;
    const parsed = {
      key,
      timestamp: Number(timestamp),
      value: SPECIAL_VALUES[value.toLowerCase()] ?? Number(value),
      step: Number(step),
    };
    const ok =
      (fields.length === 2 || fields.length === 3) &&
      fields.every((f) => f !== '') &&
      Number.isSafeInteger(parsed.timestamp) &&
      Number.isSafeInteger(parsed.step) &&
      (!Number.isNaN(parsed.value) || value.toLowerCase() === 'nan');
    if (!ok) throw malformed(file, `line ${i + 1} is not "<int ms> <value> <int step>": ${JSON.stringify(line)}`);
    return parsed;
  });
}
