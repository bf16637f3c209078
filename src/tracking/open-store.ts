/** Picks the tracking backend from a URI, as MLflow's clients do. */
import { TrackingError } from './errors.js';
import { FileStore } from './file-store.js';
import type { HttpOptions } from './http-client.js';
import { DEFAULT_OFFLINE_DIR } from './offline-dir.js';
import { ResilientStore, type ResilientStoreOptions } from './resilient-store.js';
import { RestStore } from './rest-store.js';
import type { TrackingStore } from './store.js';

export const DEFAULT_TRACKING_URI = './runs';
export { DEFAULT_OFFLINE_DIR };

export interface OpenStoreOptions extends HttpOptions, ResilientStoreOptions {
  /** For a server URI: keep logging locally if it becomes unreachable (default true). */
  offlineFallback?: boolean;
  offlineDir?: string;
}

/** The URI exp tracks to: `--tracking-uri`, else MLFLOW_TRACKING_URI, else ./runs. */
export function resolveTrackingUri(uri?: string, env: Record<string, string | undefined> = process.env): string {
  return uri || env['MLFLOW_TRACKING_URI'] || DEFAULT_TRACKING_URI;
}

/** http(s):// -> MLflow server (with offline fallback); file:// or a plain path -> file store. */
export function openStore(uri?: string, opts: OpenStoreOptions = {}): TrackingStore {
  const resolved = resolveTrackingUri(uri, opts.env);
  if (/^https?:\/\//i.test(resolved)) {
    const remote = new RestStore(resolved, opts);
    if (opts.offlineFallback === false) return remote;
    return new ResilientStore(remote, new FileStore(opts.offlineDir ?? DEFAULT_OFFLINE_DIR), opts);
  }
  // A scheme of two or more letters (one letter is a Windows drive) other than file: is unsupported.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(resolved)?.[1];
  if (scheme && scheme.toLowerCase() !== 'file') {
    throw new TrackingError(
      'UNSUPPORTED_TRACKING_URI',
      `Tracking URI '${resolved}' is not supported: use an http(s):// MLflow server or a folder (file store). For a database backend, run \`mlflow server --backend-store-uri ${resolved}\` and track to its http:// address.`,
    );
  }
  return new FileStore(resolved);
}

/** What a user is told when a run goes on offline: why, where it is kept, and how it reaches the server later. */
export function offlineNotice(uri: string): (reason: TrackingError, localRoot: string) => void {
  return (reason, localRoot) =>
    process.stderr.write(`exp: ${reason.message}\nexp: logging locally into ${localRoot} from here on; push it to the server later with \`exp sync --tracking-uri ${uri}\`\n`);
}
