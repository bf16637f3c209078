import path from 'node:path';
import { TrackingError } from './errors.js';

/**
 * `path.join(root, ...parts)` that refuses to leave `root`: every path exp builds from an id or
 * a key (run folders, artifacts, checkpoints) goes through here, so a hostile id such as
 * `../../victim` or `/etc` is an error instead of a file written or deleted elsewhere.
 */
export function safeJoin(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const joined = path.resolve(base, ...parts);
  if (parts.some((p) => p.includes('\0')) || (joined !== base && !joined.startsWith(base + path.sep))) {
    throw new TrackingError('INVALID_PATH', `Refusing the path ${JSON.stringify(parts.join('/'))}: it leads out of ${base}`);
  }
  return joined;
}
