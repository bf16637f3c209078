/**
 * MLflow's file store (what `mlflow ui --backend-store-uri <dir>` reads), written byte-exact and
 * safe against crashes and concurrent writers: every file lands atomically, metric points are
 * single O_APPEND writes, and experiment ids derive from the name so racing creators agree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { lstat, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidParameter, notFound, TrackingError } from './errors.js';
import {
  experimentMetaYaml,
  metricLine,
  parseExperimentMeta,
  parseMetricLines,
  parseRunMeta,
  runMetaYaml,
} from './file-format.js';
import { appendAtomic, createFileExclusive, errorCode, isTempFile, makeDirs, sweepTempFiles, writeFileAtomic } from './fs-atomic.js';
import { readRegularFile, readRegularText, readTail } from './fs-read.js';
import { isValidExperimentId, isValidRunId } from './ids.js';
import { printable } from '../text/escape.js';
import { endTimeFor, initialRunTags, startTimeFor, USER_TAG } from './run-defaults.js';
import { applySearch, matches, parseFilter, parseOrderBy, type Clause } from './search.js';
import { safeJoin } from './safe-join.js';
import {
  isRunStatus,
  latestMetric,
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
import { truncateValues, validateArtifactPath, validateBatch, validateKey } from './validation.js';

const META = 'meta.yaml';
const DEFAULT_EXPERIMENT = { id: '0', name: 'Default' };
/**
 * Where temp files wait for their rename: at the root, where no reader looks (MLflow skips
 * folders without meta.yaml), never inside `metrics/`, whose every file MLflow takes for a metric.
 */
const TEMP_DIR = '.exp-tmp';
/**
 * A metric's latest point is read from the end of its file: the last 4 KB (~100 points) hold it
 * whenever steps are logged in order, as exp logs them; the history is only read for its plots.
 */
const METRIC_TAIL_BYTES = 4096;
/** Runs read at once: file reads go through libuv's thread pool, which serial awaits leave idle. */
const READ_CONCURRENCY = 16;
type KeyFolder = 'metrics' | 'params' | 'tags';

export interface FileStoreOptions {
  /** Told about each malformed experiment or run skipped by a listing (default: a line on stderr). */
  warn?: (message: string) => void;
}

/** What of a run's params and tags a search reads: all, or the keys a matcher accepts. */
type KeyMatcher = ((key: string) => boolean) | undefined;

/**
 * MLflow's file store picks random 18/19-digit ids; deriving the id from the name keeps that look
 * and makes concurrent creation of one experiment converge on one folder without a lock.
 */
export function experimentIdForName(name: string): string {
  if (name === DEFAULT_EXPERIMENT.name) return DEFAULT_EXPERIMENT.id;
  const n = createHash('sha256').update(name).digest().readBigUInt64BE(0);
  return String((n % 900_000_000_000_000_000n) + 100_000_000_000_000_000n);
}

export class FileStore implements TrackingStore {
  readonly root: string;
  readonly uri: string;
  /** Run id -> experiment id, so a run is searched for once. */
  private readonly runExperiments = new Map<string, string>();
  private readonly tempDir: string;
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<string>();
  private swept = false;

  /** `location`: a folder path or a file:// URI. */
  constructor(location: string, opts: FileStoreOptions = {}) {
    this.root = location.startsWith('file:') ? localPath(location) : resolve(location);
    this.uri = pathToFileURL(this.root).href;
    this.tempDir = join(this.root, TEMP_DIR);
    this.warn = opts.warn ?? ((m) => process.stderr.write(`exp: warning: ${printable(m)}\n`));
  }

  /** A path inside the store; ids and keys from outside cannot lead out of it. */
  private path(...parts: string[]): string {
    return safeJoin(this.root, ...parts);
  }

  /** Skips what cannot be read, once per problem, as MLflow's reader warns and skips. */
  private skip(what: string, err: unknown): void {
    const message = `skipped ${what}: ${err instanceof Error ? err.message : String(err)}`;
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warn(message);
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    if (name.trim() === '') throw invalidParameter('Experiment name must not be empty');
    if (!(await exists(this.path(DEFAULT_EXPERIMENT.id, META)))) {
      await this.createExperimentFolder(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name); // as MLflow makes a new store
    }
    const existing = await this.getExperimentByName(name);
    if (existing) return existing.experimentId;
    const id = experimentIdForName(name);
    await this.createExperimentFolder(id, name);
    return id;
  }

  private async createExperimentFolder(id: string, name: string): Promise<void> {
    const dir = this.path(id);
    const metaFile = join(dir, META);
    const current = await readRegularText(metaFile);
    if (current !== undefined) {
      const found = parseExperimentMeta(current, metaFile);
      if (found.name === name) return;
      throw new TrackingError(
        'RESOURCE_ALREADY_EXISTS',
        `Experiment id ${id} for '${name}' is taken by experiment '${found.name}' in ${this.root}`,
      );
    }
    if (await exists(join(this.root, '.trash', id))) {
      throw new TrackingError(
        'RESOURCE_ALREADY_EXISTS',
        `Experiment '${name}' was deleted and sits in ${join(this.root, '.trash', id)}; restore it or pick another name`,
      );
    }
    await makeDirs(dir);
    // Racing creators write identical content, so whichever rename lands last is still right.
    await writeFileAtomic(
      metaFile,
      experimentMetaYaml({
        experimentId: id,
        name,
        artifactLocation: pathToFileURL(dir).href,
        lifecycleStage: 'active',
      }),
      this.tempDir,
    );
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return (await this.listExperiments()).find((e) => e.name === name);
  }

  async listExperiments(): Promise<Experiment[]> {
    const experiments: Experiment[] = [];
    for (const id of await subfolders(this.root)) {
      const file = join(this.root, id, META);
      try {
        const text = await readRegularText(file);
        if (text === undefined) continue; // not an experiment; MLflow skips it too
        if (!isValidExperimentId(id)) throw new TrackingError('MALFORMED_STORE', `'${id}' is not an MLflow experiment id`);
        // The folder name is the id (a legacy unquoted id can exceed JS's exact integers).
        experiments.push({ ...parseExperimentMeta(text, file), experimentId: id });
      } catch (err) {
        if (!isSkippable(err)) throw err;
        this.skip(`experiment folder ${join(this.root, id)}`, err);
      }
    }
    return experiments;
  }

  async createRun(experimentId: string, opts: CreateRunOptions): Promise<RunInfo> {
    const experimentDir = await this.experimentDir(experimentId);
    const tags = initialRunTags(opts.runName, opts.tags);
    const runId = randomUUID().replaceAll('-', '');
    const runDir = safeJoin(experimentDir, runId);
    const info: RunInfo = {
      runId,
      experimentId,
      runName: opts.runName,
      userId: tags[USER_TAG] ?? '',
      status: 'RUNNING',
      startTime: startTimeFor(opts.startTime),
      artifactUri: pathToFileURL(join(runDir, 'artifacts')).href,
      lifecycleStage: 'active',
    };
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) await makeDirs(join(runDir, sub));
    await this.writeTags(runDir, tags);
    // meta.yaml last: readers skip folders without it, so nobody sees a half-made run.
    await writeFileAtomic(join(runDir, META), runMetaYaml(info), this.tempDir);
    if (!this.swept) {
      this.swept = true;
      await sweepTempFiles(this.tempDir);
    }
    this.runExperiments.set(runId, experimentId);
    return info;
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateBatch(batch);
    const { params, tags } = truncateValues(batch);
    const metrics = batch.metrics ?? [];
    const runDir = await this.runDir(runId);
    await checkKeyPaths(join(runDir, 'metrics'), metrics.map((m) => m.key));
    await checkKeyPaths(join(runDir, 'params'), Object.keys(params));
    await checkKeyPaths(join(runDir, 'tags'), Object.keys(tags));
    await this.checkParamsUnchanged(runId, runDir, params);

    for (const [key, value] of Object.entries(params)) {
      const file = await keyFile(runDir, 'params', key);
      // Exclusive create: of two writers with different values only one can win.
      if (!(await createFileExclusive(file, value, this.tempDir))) await this.checkParamsUnchanged(runId, runDir, { [key]: value });
    }
    const linesByKey = new Map<string, string>();
    for (const m of metrics) linesByKey.set(m.key, (linesByKey.get(m.key) ?? '') + metricLine(m));
    for (const [key, lines] of linesByKey) await appendAtomic(await keyFile(runDir, 'metrics', key), lines, this.tempDir);
    await this.writeTags(runDir, tags);
  }

  private async checkParamsUnchanged(runId: string, runDir: string, params: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(params)) {
      const old = await readRegularText(safeJoin(runDir, 'params', key));
      if (old !== undefined && old !== value) {
        throw invalidParameter(
          `Changing param values is not allowed. Param '${key}' was already logged with value '${old}' for run ${runId}; attempted '${value}'`,
        );
      }
    }
  }

  private async writeTags(runDir: string, tags: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(tags)) await writeFileAtomic(await keyFile(runDir, 'tags', key), value, this.tempDir);
  }

  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    if (!isRunStatus(status)) throw invalidParameter(`Unknown run status '${String(status)}'`);
    const runDir = await this.runDir(runId);
    const info = await readRunInfo(runDir);
    if (!info) throw notFound(`No run with id '${runId}' in ${this.root}`);
    const end = endTimeFor(status, endTime) ?? info.endTime;
    await writeFileAtomic(join(runDir, META), runMetaYaml({ ...info, status, ...(end === undefined ? {} : { endTime: end }) }), this.tempDir);
  }

  async logArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    validateArtifactPath(artifactPath);
    const file = safeJoin(await this.runDir(runId), 'artifacts', artifactPath);
    await makeDirs(join(file, '..'));
    await writeFileAtomic(file, data, this.tempDir);
  }

  async deleteArtifacts(runId: string, artifactPath: string): Promise<void> {
    validateArtifactPath(artifactPath);
    await rm(safeJoin(await this.runDir(runId), 'artifacts', artifactPath), { recursive: true, force: true });
  }

  async readArtifact(runId: string, artifactPath: string): Promise<Uint8Array> {
    validateArtifactPath(artifactPath);
    let bytes: Buffer | undefined;
    try {
      bytes = await readRegularFile(safeJoin(await this.runDir(runId), 'artifacts', artifactPath));
    } catch (err) {
      if (errorCode(err) !== 'ENOTDIR' && !(err instanceof TrackingError && err.code === 'MALFORMED_STORE')) throw err;
    }
    if (!bytes) throw notFound(`Run ${runId} has no artifact file '${artifactPath}'`);
    return bytes;
  }

  async listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]> {
    if (path) validateArtifactPath(path);
    const dir = safeJoin(await this.runDir(runId), 'artifacts', path ?? '');
    const entries: ArtifactEntry[] = [];
    for (const entry of await readdirIfExists(dir)) {
      if (isTempFile(entry.name)) continue;
      const rel = path ? `${path}/${entry.name}` : entry.name;
      if (entry.isDirectory()) entries.push({ path: rel, isDir: true });
      else entries.push({ path: rel, isDir: false, fileSize: (await lstat(join(dir, entry.name))).size });
    }
    return entries.sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Every regular file among a run's artifacts, and what else is there (a symlink, a FIFO, a
   * device), by the entries themselves, never what they point at: what `exp sync` may upload
   * stays inside the run's folder.
   */
  async artifactFiles(runId: string): Promise<{ files: string[]; skipped: string[] }> {
    const root = safeJoin(await this.runDir(runId), 'artifacts');
    const found = { files: [] as string[], skipped: [] as string[] };
    const walk = async (rel: string): Promise<void> => {
      for (const entry of await readdirIfExists(rel ? safeJoin(root, rel) : root)) {
        if (isTempFile(entry.name)) continue;
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path);
        else (entry.isFile() ? found.files : found.skipped).push(path);
      }
    };
    await walk('');
    found.files.sort();
    found.skipped.sort();
    return found;
  }

  async getRun(runId: string): Promise<Run> {
    const runDir = await this.runDir(runId);
    const info = await readRunInfo(runDir);
    if (!info) throw notFound(`No run with id '${runId}' in ${this.root}`);
    return { info, data: await readRunData(runDir) };
  }

  /**
   * Reads as little as the search needs: each run's meta.yaml, then the params and tags the
   * filter names (a run that fails the filter is dropped there), then what `fields` asks for.
   * A malformed run is skipped and named, as MLflow's reader does, so one bad run never hides
   * the others.
   */
  async searchRuns(experimentIds: string[], opts: SearchRunsOptions = {}): Promise<Run[]> {
    const clauses = opts.filter ? parseFilter(opts.filter) : [];
    const sortKeys = (opts.orderBy ?? []).map(parseOrderBy);
    const needed = (entity: 'params' | 'tags', fields: string[] | undefined): KeyMatcher => {
      if (fields === undefined) return undefined;
      const named = new Set([...clauses, ...sortKeys].filter((c) => c.entity === entity).map((c) => c.key));
      return (key) => named.has(key) || fields.some((f) => (f.endsWith('*') ? key.startsWith(f.slice(0, -1)) : key === f));
    };
    const want = { params: needed('params', opts.fields?.params), tags: needed('tags', opts.fields?.tags) };
    const runDirs: string[] = [];
    for (const experimentId of experimentIds) {
      if (!isValidExperimentId(experimentId)) throw notFound(`No experiment with id '${experimentId}' in ${this.root}`);
      const experimentDir = this.path(experimentId);
      for (const runId of await subfolders(experimentDir)) runDirs.push(join(experimentDir, runId));
    }
    const found = await mapLimit(runDirs, READ_CONCURRENCY, async (runDir): Promise<Run | undefined> => {
      try {
        const info = await readRunInfo(runDir);
        if (!info || info.lifecycleStage !== 'active') return undefined;
        if (!isValidRunId(basename(runDir))) throw new TrackingError('MALFORMED_STORE', `'${basename(runDir)}' is not an MLflow run id`);
        if (!(await passesFilter(runDir, info, clauses))) return undefined;
        return { info, data: await readRunData(runDir, want) };
      } catch (err) {
        if (errorCode(err) === 'ENOENT') return undefined; // deleted while we read it
        if (!isSkippable(err)) throw err;
        this.skip(`run ${runDir}`, err);
        return undefined;
      }
    });
    const runs = found.filter((r): r is Run => r !== undefined);
    return applySearch(runs, opts).slice(0, opts.maxResults ?? Infinity);
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    validateKey('metric', key);
    const file = safeJoin(await this.runDir(runId), 'metrics', key);
    const text = await readRegularText(file);
    return text === undefined ? [] : parseMetricLines(key, text, file);
  }

  private async experimentDir(experimentId: string): Promise<string> {
    if (!isValidExperimentId(experimentId)) throw notFound(`No experiment with id '${experimentId}' in ${this.root}`);
    const dir = this.path(experimentId);
    if (!(await exists(join(dir, META)))) throw notFound(`No experiment with id '${experimentId}' in ${this.root}`);
    return dir;
  }

  private async runDir(runId: string): Promise<string> {
    if (!isValidRunId(runId)) throw notFound(`No run with id '${runId}' in ${this.root}`);
    const known = this.runExperiments.get(runId);
    if (known !== undefined) return this.path(known, runId);
    for (const experimentId of await subfolders(this.root)) {
      if (await exists(this.path(experimentId, runId, META))) {
        this.runExperiments.set(runId, experimentId);
        return this.path(experimentId, runId);
      }
    }
    throw notFound(`No run with id '${runId}' in ${this.root}`);
  }
}

/** A file: URI's path; one naming another host (`file://otherhost/x`) cannot be written here. */
function localPath(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TrackingError('UNSUPPORTED_TRACKING_URI', `Tracking URI '${uri}' is not a valid file: URI`);
  }
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    throw new TrackingError(
      'UNSUPPORTED_TRACKING_URI',
      `Tracking URI '${uri}' names the host '${url.hostname}': a file store must be a local folder (file:///path, or mount the other host's folder and use its local path)`,
    );
  }
  return fileURLToPath(url);
}

/** Problems of one experiment or run (bad content, a FIFO or link, no permission) that listings skip. */
function isSkippable(err: unknown): boolean {
  if (err instanceof TrackingError) return err.code === 'MALFORMED_STORE';
  return ['EACCES', 'EPERM', 'ELOOP', 'EISDIR', 'ENOTDIR', 'EILSEQ'].includes(errorCode(err) ?? '');
}

/** Runs `f` over `items`, at most `limit` at once, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The run's meta.yaml, or undefined for a folder without one (MLflow skips those too). */
async function readRunInfo(runDir: string): Promise<RunInfo | undefined> {
  const metaFile = join(runDir, META);
  const text = await readRegularText(metaFile);
  // The parent folder is the experiment id (a legacy unquoted id can exceed JS's exact integers).
  return text === undefined ? undefined : { ...parseRunMeta(text, metaFile), experimentId: basename(dirname(runDir)) };
}

/** The filter judged on meta.yaml and the few params and tags it names (metrics: their latest values). */
async function passesFilter(runDir: string, info: RunInfo, clauses: Clause[]): Promise<boolean> {
  if (clauses.length === 0) return true;
  const named = (entity: Clause['entity']) => new Set(clauses.filter((c) => c.entity === entity).map((c) => c.key));
  const data = {
    metrics: await readMetrics(runDir, (key) => named('metrics').has(key)),
    params: await readValues(join(runDir, 'params'), (key) => named('params').has(key)),
    tags: await readValues(join(runDir, 'tags'), (key) => named('tags').has(key)),
  };
  return clauses.every((c) => matches({ info, data }, c));
}

async function readRunData(runDir: string, want: { params?: KeyMatcher; tags?: KeyMatcher } = {}): Promise<Run['data']> {
  return {
    metrics: await readMetrics(runDir),
    params: await readValues(join(runDir, 'params'), want.params),
    tags: await readValues(join(runDir, 'tags'), want.tags),
  };
}

/** The latest value of each metric (of those `wanted`), read from the end of its file. */
async function readMetrics(runDir: string, wanted?: KeyMatcher): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  const dir = join(runDir, 'metrics');
  for (const key of await keysIn(dir)) {
    if (wanted && !wanted(key)) continue;
    const file = join(dir, key);
    const tail = await readTail(file, METRIC_TAIL_BYTES);
    if (!tail) continue;
    // Past the first newline of a cut tail every line is whole.
    const text = tail.whole ? tail.text : tail.text.slice(tail.text.indexOf('\n') + 1);
    const latest = latestMetric(parseMetricLines(key, text, file));
    if (latest) metrics[key] = latest.value;
  }
  return metrics;
}

async function readValues(dir: string, wanted?: KeyMatcher): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const key of await keysIn(dir)) {
    if (wanted && !wanted(key)) continue;
    const value = await readRegularText(join(dir, key));
    if (value !== undefined) values[key] = value;
  }
  return values;
}

/** Keys stored under a folder; a key with `/` is a file in sub-folders. */
async function keysIn(dir: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const entry of await readdirIfExists(dir)) {
    if (isTempFile(entry.name)) continue;
    const key = prefix + entry.name;
    if (entry.isDirectory()) keys.push(...(await keysIn(join(dir, entry.name), `${key}/`)));
    else keys.push(key); // a FIFO or link among them fails its read: see fs-read.ts
  }
  return keys.sort();
}

/** The file of a key, its sub-folders created (`val/loss` -> metrics/val/loss). */
async function keyFile(runDir: string, folder: KeyFolder, key: string): Promise<string> {
  const file = safeJoin(runDir, folder, key);
  if (key.includes('/')) await makeDirs(join(file, '..'));
  return file;
}

/**
 * A key `a/b` needs `a` to be a folder and a key `a` needs it to be a file. Checked up front, so a
 * clash fails the whole batch with a clear message instead of half-writing it.
 */
async function checkKeyPaths(dir: string, keys: string[]): Promise<void> {
  const unique = new Set(keys);
  for (const key of unique) {
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const stat = await lstat(join(dir, prefix)).catch(() => undefined);
      if (unique.has(prefix) || (stat && !stat.isDirectory())) {
        throw invalidParameter(`Key '${key}' clashes with key '${prefix}': a key cannot also be a folder of other keys`);
      }
    }
    if ((await lstat(join(dir, key)).catch(() => undefined))?.isDirectory()) {
      throw invalidParameter(`Key '${key}' clashes with existing keys under '${key}/'`);
    }
  }
}

async function readdirIfExists(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** Sub-folders that can be experiments or runs; MLflow's `.trash` and our hidden files excluded. */
async function subfolders(dir: string): Promise<string[]> {
  return (await readdirIfExists(dir)).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
