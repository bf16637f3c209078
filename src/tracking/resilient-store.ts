/**
 * Logs to a tracking server and, once the server is unreachable, keeps logging into a local file
 * store so nothing is lost; `syncAll` pushes those runs later. Offline is sticky for the life of
 * the store: a run does not flap between server and disk, and later calls do not pay retry delays.
 */
import { TrackingError } from './errors.js';
import type { FileStore } from './file-store.js';
import type {
  ArtifactEntry,
  CreateRunOptions,
  Experiment,
  LogBatch,
  Metric,
  Run,
  RunInfo,
  RunStatus,
  SearchRunsOptions,
  TrackingStore,
} from './store.js';
import { SYNC_TAGS } from './sync.js';

export interface ResilientStoreOptions {
  /** Called once, when logging switches to the local store. */
  onOffline?: (reason: TrackingError, localRoot: string) => void;
}

interface RunOrigin {
  experimentName: string;
  runName: string;
  startTime: number;
  /** Caller-supplied tags, for a local copy of a server run. */
  tags: Record<string, string>;
}

export class ResilientStore implements TrackingStore {
  readonly uri: string;
  private offlineReason: TrackingError | undefined;
  private readonly experimentNames = new Map<string, string>();
  private readonly origins = new Map<string, RunOrigin>();
  /** Run id the caller holds (server's or local) -> local run id. */
  private readonly localRuns = new Map<string, string>();

  constructor(
    readonly remote: TrackingStore,
    readonly local: FileStore,
    private readonly opts: ResilientStoreOptions = {},
  ) {
    this.uri = remote.uri;
  }

  get offline(): boolean {
    return this.offlineReason !== undefined;
  }

  /**
   * Runs `onRemote` unless offline; a transient failure switches to offline and returns undefined.
   * For a search only an unreachable server does: a 5xx answer to one search (the board at the
   * end of a run) is that search's error, not a reason to log the next runs locally.
   */
  private async tryRemote<T>(onRemote: () => Promise<T>, search = false): Promise<T | undefined> {
    if (this.offlineReason) return undefined;
    try {
      return await onRemote();
    } catch (err) {
      if (!(err instanceof TrackingError && (search ? err.code === 'NETWORK_ERROR' : err.transient))) throw err;
      this.offlineReason = err;
      this.opts.onOffline?.(err, this.local.root);
      return undefined;
    }
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    const id = (await this.tryRemote(() => this.remote.getOrCreateExperiment(name))) ?? (await this.local.getOrCreateExperiment(name));
    this.experimentNames.set(id, name);
    return id;
  }

  async createRun(experimentId: string, opts: CreateRunOptions): Promise<RunInfo> {
    const experimentName = this.experimentNames.get(experimentId);
    const remoteInfo = await this.tryRemote(() => this.remote.createRun(experimentId, opts));
    if (remoteInfo) {
      this.origins.set(remoteInfo.runId, {
        // A local copy of a server run syncs back by run id, so the folder name is only for people.
        experimentName: experimentName ?? `server experiment ${experimentId}`,
        runName: opts.runName,
        startTime: remoteInfo.startTime,
        tags: opts.tags ?? {},
      });
      return remoteInfo;
    }
    if (experimentName === undefined) {
      throw new TrackingError(
        'OFFLINE_UNKNOWN_EXPERIMENT',
        `The server at ${this.uri} is unreachable and experiment ${experimentId} was not opened through this store, so its runs cannot be kept locally`,
      );
    }
    const info = await this.createLocalRun({ experimentName, runName: opts.runName, startTime: opts.startTime ?? Date.now(), tags: opts.tags ?? {} });
    this.localRuns.set(info.runId, info.runId);
    return info;
  }

  private async createLocalRun(origin: RunOrigin, remoteRunId?: string): Promise<RunInfo> {
    const experimentId = await this.local.getOrCreateExperiment(origin.experimentName);
    return this.local.createRun(experimentId, {
      runName: origin.runName,
      startTime: origin.startTime,
      tags: { ...origin.tags, [SYNC_TAGS.remoteUri]: this.uri, ...(remoteRunId ? { [SYNC_TAGS.remoteRunId]: remoteRunId } : {}) },
    });
  }

  /** Routes a write to the server or, offline, to the run's local copy (made on first need). */
  private async write(runId: string, onStore: (store: TrackingStore, id: string) => Promise<void>): Promise<void> {
    if (!this.localRuns.has(runId)) {
      const done = await this.tryRemote(async () => {
        await onStore(this.remote, runId);
        return true;
      });
      if (done) return;
      const origin = this.origins.get(runId);
      if (!origin) {
        throw new TrackingError('OFFLINE_UNKNOWN_RUN', `The server at ${this.uri} is unreachable and run ${runId} was not created through this store, so it cannot be continued locally`);
      }
      this.localRuns.set(runId, (await this.createLocalRun(origin, runId)).runId);
    }
    await onStore(this.local, this.localRuns.get(runId)!);
  }

  logBatch(runId: string, batch: LogBatch): Promise<void> {
    return this.write(runId, (store, id) => store.logBatch(id, batch));
  }

  updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    return this.write(runId, (store, id) => store.updateRun(id, status, endTime));
  }

  logArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    return this.write(runId, (store, id) => store.logArtifact(id, artifactPath, data));
  }

  deleteArtifacts(runId: string, artifactPath: string): Promise<void> {
    return this.write(runId, (store, id) => store.deleteArtifacts(id, artifactPath));
  }

  /** Reads of a run kept locally come from the local copy; everything else from the server. */
  private reader(runId: string): { store: TrackingStore; id: string } {
    const localId = this.localRuns.get(runId);
    return localId === undefined ? { store: this.remote, id: runId } : { store: this.local, id: localId };
  }

  getRun(runId: string): Promise<Run> {
    const { store, id } = this.reader(runId);
    return store.getRun(id);
  }

  getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const { store, id } = this.reader(runId);
    return store.getMetricHistory(id, key);
  }

  listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]> {
    const { store, id } = this.reader(runId);
    return store.listArtifacts(id, path);
  }

  readArtifact(runId: string, artifactPath: string): Promise<Uint8Array> {
    const { store, id } = this.reader(runId);
    return store.readArtifact(id, artifactPath);
  }

  /*
   * Searches go to the server; when it cannot be reached (already at the start of `exp run`,
   * which first looks for an identical finished run) they read the local store instead, so the
   * run carries on offline rather than failing before it starts.
   */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const remote = await this.tryRemote(async () => ({ found: await this.remote.getExperimentByName(name) }), true);
    const found = remote ? remote.found : await this.local.getExperimentByName(name);
    if (found) this.experimentNames.set(found.experimentId, name);
    return found;
  }

  async listExperiments(): Promise<Experiment[]> {
    return (await this.tryRemote(() => this.remote.listExperiments(), true)) ?? this.local.listExperiments();
  }

  /** Offline, the ids (the server's or local ones, both learned through this store) are matched to local experiments by name. */
  async searchRuns(experimentIds: string[], opts?: SearchRunsOptions): Promise<Run[]> {
    const remote = await this.tryRemote(() => this.remote.searchRuns(experimentIds, opts), true);
    if (remote) return remote;
    const localIds: string[] = [];
    for (const id of experimentIds) {
      const name = this.experimentNames.get(id);
      const local = name === undefined ? undefined : await this.local.getExperimentByName(name);
      if (local) localIds.push(local.experimentId);
    }
    return localIds.length ? this.local.searchRuns(localIds, opts) : [];
  }
}
