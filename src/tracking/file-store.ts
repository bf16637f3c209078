/**
 * MLflow's file store (what `mlflow ui --backend-store-uri <dir>` reads), written byte-exact and
 * safe against crashes and concurrent writers: every file lands atomically, metric points are
 * single O_APPEND writes, and experiment ids derive from the name so racing creators agree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
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
import { appendAtomic, createFileExclusive, errorCode, isTempFile, writeFileAtomic } from './fs-atomic.js';
import { endTimeFor, initialRunTags, startTimeFor, USER_TAG } from './run-defaults.js';
import { applySearch } from './search.js';
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
/** MLflow's rule for run folder names; also keeps ids from escaping the store. */
const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID_PATTERN = /^[\w-]+$/;
type KeyFolder = 'metrics' | 'params' | 'tags';

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

  /** `location`: a folder path or a file:// URI. */
  constructor(location: string) {
    this.root = location.startsWith('file:') ? fileURLToPath(location) : resolve(location);
    this.uri = pathToFileURL(this.root).href;
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    if (name.trim() === '') throw invalidParameter('Experiment name must not be empty');
    if (!(await exists(join(this.root, DEFAULT_EXPERIMENT.id, META)))) {
      await this.createExperimentFolder(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name); // as MLflow makes a new store
    }
    const existing = await this.getExperimentByName(name);
    if (existing) return existing.experimentId;
    const id = experimentIdForName(name);
    await this.createExperimentFolder(id, name);
    return id;
  }

  private async createExperimentFolder(id: string, name: string): Promise<void> {
    const dir = join(this.root, id);
    const metaFile = join(dir, META);
    const current = await readIfExists(metaFile);
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
    await mkdir(dir, { recursive: true });
    // Racing creators write identical content, so whichever rename lands last is still right.
    await writeFileAtomic(
      metaFile,
      experimentMetaYaml({
        experimentId: id,
        name,
        artifactLocation: pathToFileURL(dir).href,
        lifecycleStage: 'active',
      }),
    );
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return (await this.listExperiments()).find((e) => e.name === name);
  }

  async listExperiments(): Promise<Experiment[]> {
    const experiments: Experiment[] = [];
    for (const id of await subfolders(this.root)) {
      const file = join(this.root, id, META);
      const text = await readIfExists(file);
      // The folder name is the id (a legacy unquoted id can exceed JS's exact integers).
      if (text !== undefined) experiments.push({ ...parseExperimentMeta(text, file), experimentId: id });
    }
    return experiments;
  }

  async createRun(experimentId: string, opts: CreateRunOptions): Promise<RunInfo> {
    const experimentDir = await this.experimentDir(experimentId);
    const tags = initialRunTags(opts.runName, opts.tags);
    const runId = randomUUID().replaceAll('-', '');
    const runDir = join(experimentDir, runId);
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
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) await mkdir(join(runDir, sub), { recursive: true });
    await this.writeTags(runDir, tags);
    // meta.yaml last: readers skip folders without it, so nobody sees a half-made run.
    await writeFileAtomic(join(runDir, META), runMetaYaml(info));
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
      if (!(await createFileExclusive(file, value))) await this.checkParamsUnchanged(runId, runDir, { [key]: value });
    }
    const linesByKey = new Map<string, string>();
    for (const m of metrics) linesByKey.set(m.key, (linesByKey.get(m.key) ?? '') + metricLine(m));
    for (const [key, lines] of linesByKey) await appendAtomic(await keyFile(runDir, 'metrics', key), lines);
    await this.writeTags(runDir, tags);
  }

  private async checkParamsUnchanged(runId: string, runDir: string, params: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(params)) {
      const old = await readIfExists(join(runDir, 'params', key));
      if (old !== undefined && old !== value) {
        throw invalidParameter(
          `Changing param values is not allowed. Param '${key}' was already logged with value '${old}' for run ${runId}; attempted '${value}'`,
        );
      }
    }
  }

  private async writeTags(runDir: string, tags: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(tags)) await writeFileAtomic(await keyFile(runDir, 'tags', key), value);
  }

  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    if (!isRunStatus(status)) throw invalidParameter(`Unknown run status '${String(status)}'`);
    const runDir = await this.runDir(runId);
    const info = await readRunInfo(runDir);
    const end = endTimeFor(status, endTime) ?? info.endTime;
    await writeFileAtomic(join(runDir, META), runMetaYaml({ ...info, status, ...(end === undefined ? {} : { endTime: end }) }));
  }

  async logArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    validateArtifactPath(artifactPath);
    const file = join(await this.runDir(runId), 'artifacts', artifactPath);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFileAtomic(file, data);
  }

  async deleteArtifacts(runId: string, artifactPath: string): Promise<void> {
    validateArtifactPath(artifactPath);
    await rm(join(await this.runDir(runId), 'artifacts', artifactPath), { recursive: true, force: true });
  }

  async readArtifact(runId: string, artifactPath: string): Promise<Uint8Array> {
    validateArtifactPath(artifactPath);
    try {
      return await readFile(join(await this.runDir(runId), 'artifacts', artifactPath));
    } catch (err) {
      if (errorCode(err) === 'ENOENT' || errorCode(err) === 'EISDIR') {
        throw notFound(`Run ${runId} has no artifact file '${artifactPath}'`);
      }
      throw err;
    }
  }

  async listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]> {
    if (path) validateArtifactPath(path);
    const dir = join(await this.runDir(runId), 'artifacts', path ?? '');
    const entries: ArtifactEntry[] = [];
    for (const entry of await readdirIfExists(dir)) {
      if (isTempFile(entry.name)) continue;
      const rel = path ? `${path}/${entry.name}` : entry.name;
      if (entry.isDirectory()) entries.push({ path: rel, isDir: true });
      else entries.push({ path: rel, isDir: false, fileSize: (await lstat(join(dir, entry.name))).size });
    }
    return entries.sort((a, b) => a.path.localeCompare(b.path));
  }

  async getRun(runId: string): Promise<Run> {
    return readRun(await this.runDir(runId));
  }

  async searchRuns(experimentIds: string[], opts: SearchRunsOptions = {}): Promise<Run[]> {
    const runs: Run[] = [];
    for (const experimentId of experimentIds) {
      const experimentDir = join(this.root, checkExperimentId(experimentId));
      for (const runId of await subfolders(experimentDir)) {
        const runDir = join(experimentDir, runId);
        if (!(await exists(join(runDir, META)))) continue; // MLflow skips these too
        const run = await readRun(runDir);
        if (run.info.lifecycleStage === 'active') runs.push(run);
      }
    }
    return applySearch(runs, opts).slice(0, opts.maxResults ?? Infinity);
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    validateKey('metric', key);
    const file = join(await this.runDir(runId), 'metrics', key);
    const text = await readIfExists(file);
    return text === undefined ? [] : parseMetricLines(key, text, file);
  }

  private async experimentDir(experimentId: string): Promise<string> {
    const dir = join(this.root, checkExperimentId(experimentId));
    if (!(await exists(join(dir, META)))) throw notFound(`No experiment with id '${experimentId}' in ${this.root}`);
    return dir;
  }

  private async runDir(runId: string): Promise<string> {
    if (!RUN_ID_PATTERN.test(runId)) throw notFound(`No run with id '${runId}' in ${this.root}`);
    const known = this.runExperiments.get(runId);
    if (known !== undefined) return join(this.root, known, runId);
    for (const experimentId of await subfolders(this.root)) {
      if (await exists(join(this.root, experimentId, runId, META))) {
        this.runExperiments.set(runId, experimentId);
        return join(this.root, experimentId, runId);
      }
    }
    throw notFound(`No run with id '${runId}' in ${this.root}`);
  }
}

function checkExperimentId(experimentId: string): string {
  if (!EXPERIMENT_ID_PATTERN.test(experimentId)) throw notFound(`No experiment with id '${experimentId}'`);
  return experimentId;
}

async function readRunInfo(runDir: string): Promise<RunInfo> {
  const metaFile = join(runDir, META);
  // The parent folder is the experiment id (a legacy unquoted id can exceed JS's exact integers).
  return { ...parseRunMeta(await readFile(metaFile, 'utf8'), metaFile), experimentId: basename(dirname(runDir)) };
}

async function readRun(runDir: string): Promise<Run> {
  const info = await readRunInfo(runDir);
  const metrics: Record<string, number> = {};
  for (const key of await keysIn(join(runDir, 'metrics'))) {
    const file = join(runDir, 'metrics', key);
    const latest = latestMetric(parseMetricLines(key, await readFile(file, 'utf8'), file));
    if (latest) metrics[key] = latest.value;
  }
  return { info, data: { metrics, params: await readValues(join(runDir, 'params')), tags: await readValues(join(runDir, 'tags')) } };
}

async function readValues(dir: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const key of await keysIn(dir)) values[key] = await readFile(join(dir, key), 'utf8');
  return values;
}

/** Keys stored under a folder; a key with `/` is a file in sub-folders. */
async function keysIn(dir: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const entry of await readdirIfExists(dir)) {
    if (isTempFile(entry.name)) continue;
    const key = prefix + entry.name;
    if (entry.isDirectory()) keys.push(...(await keysIn(join(dir, entry.name), `${key}/`)));
    else keys.push(key);
  }
  return keys.sort();
}

/** The file of a key, its sub-folders created (`val/loss` -> metrics/val/loss). */
async function keyFile(runDir: string, folder: KeyFolder, key: string): Promise<string> {
  const file = join(runDir, folder, key);
  if (key.includes('/')) await mkdir(join(file, '..'), { recursive: true });
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

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
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
