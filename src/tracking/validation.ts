/** MLflow's rules for keys and values, checked before anything is sent or written. */
import { invalidParameter } from './errors.js';
import type { LogBatch } from './store.js';

/** ASCII version of MLflow's `^[/\w.\- ]*$` (Python's \w also takes Unicode letters; ASCII is the safe subset). */
const KEY_PATTERN = /^[/\w.\- ]*$/;
const MAX_KEY_LENGTH = 250;
/** The server truncates longer values silently; both stores truncate so they agree. */
const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 5000;

type KeyKind = 'metric' | 'param' | 'tag';

/** Keys become file paths in the file store, so besides the pattern they must not escape their folder. */
export function validateKey(kind: KeyKind, key: string): void {
  const problem = keyProblem(key);
  if (problem) throw invalidParameter(`Invalid ${kind} key '${key}': ${problem}`);
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'keys must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `keys are at most ${MAX_KEY_LENGTH} characters (got ${key.length})`;
  if (!KEY_PATTERN.test(key)) return 'keys may only contain letters, digits, _ - . / and spaces';
  return pathProblem(key);
}

/** Mirrors MLflow's normpath check: no absolute paths, no `.`/`..`/empty segments, no leading `..`. */
function pathProblem(path: string): string | undefined {
  if (path.startsWith('/')) return 'must be a relative path';
  if (path.startsWith('..')) return 'must not start with ..';
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return 'must not contain empty, . or .. path segments';
  }
  return undefined;
}

export function validateArtifactPath(path: string): void {
  const problem = path.length === 0 ? 'must not be empty' : /[\\\0]/.test(path) ? 'must not contain \\ or NUL' : pathProblem(path);
  if (problem) throw invalidParameter(`Invalid artifact path '${path}': ${problem}`);
}

/** Validates every key and metric of a batch, so a bad item fails the whole batch before anything is written. */
export function validateBatch(batch: LogBatch): void {
  for (const m of batch.metrics ?? []) {
    validateKey('metric', m.key);
    if (typeof m.value !== 'number') throw invalidParameter(`Metric '${m.key}' has a non-numeric value: ${String(m.value)}`);
    validateTimestamp(`Metric '${m.key}' timestamp`, m.timestamp);
    if (!Number.isSafeInteger(m.step)) throw invalidParameter(`Metric '${m.key}' needs an integer step, got ${m.step}`);
  }
  for (const key of Object.keys(batch.params ?? {})) validateKey('param', key);
  for (const key of Object.keys(batch.tags ?? {})) validateKey('tag', key);
}

/** Times are integer ms since the epoch: a decimal one breaks MLflow's file-store reader. */
export function validateTimestamp(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) throw invalidParameter(`${what} must be integer ms since the epoch, got ${ms}`);
}

/** Params and tags with values truncated to the server's limits. */
export function truncateValues(batch: LogBatch): { params: Record<string, string>; tags: Record<string, string> } {
  return {
    params: mapValues(batch.params ?? {}, (v) => v.slice(0, MAX_PARAM_VALUE_LENGTH)),
    tags: mapValues(batch.tags ?? {}, (v) => v.slice(0, MAX_TAG_VALUE_LENGTH)),
  };
}

function mapValues(record: Record<string, string>, f: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}
