/**
 * One trainer per run. A lock file per run, created exclusively in a per-user folder, makes the
 * claim atomic on one host; the owner tags and heartbeat on the run (owner.ts) tell other hosts.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { Run, TrackingStore } from '../tracking/index.js';
import { ownerOf, ownerState, thisProcess, type Owner } from './owner.js';

/** Private to this user (mode 0700), so nobody else can plant or remove a lock. */
function lockDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = path.join(process.env['XDG_RUNTIME_DIR'] ?? tmpdir(), `exp-locks-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== uid)) throw new UserError(`${dir} is not a folder of yours; remove it so exp can keep its run locks there`);
  return dir;
}

// Hashed: a run id from a server never becomes a path.
const lockFile = (store: TrackingStore, runId: string): string => path.join(lockDir(), `${createHash('sha256').update(`${store.uri}\n${runId}`).digest('hex').slice(0, 32)}.lock`);

export class RunLock {
  private constructor(readonly file: string) {}

  /** Takes the run's lock, or says who holds it; a lock left by a dead process is taken over. */
  static acquire(store: TrackingStore, runId: string): RunLock | { heldBy: Owner; why: string } {
    const file = lockFile(store, runId);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, JSON.stringify(thisProcess()));
        closeSync(fd);
        return new RunLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      }
      let holder: Owner | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as Owner;
      } catch {
        holder = undefined; // half-written by a process killed while creating it
      }
      const state = ownerState(holder);
      if (holder && state.state !== 'gone') return { heldBy: holder, why: state.why };
      rmSync(file, { force: true });
    }
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}

/** What a second trainer is told, with what it can do instead. */
const busy = (runId: string, why: string): UserError =>
  new UserError(`run ${runId} is being trained by another process (${why}); wait for it to finish, or pass --rerun to train a separate run`);

/**
 * Claims an interrupted run to continue it: refused while another process trains it (or may:
 * a RUNNING run on another host with a recent heartbeat); a RUNNING run whose process is gone
 * (stale) is taken over. Returns the lock, the run as it stands now, and why it was stale.
 */
export async function claimRun(store: TrackingStore, runId: string): Promise<{ lock: RunLock; run: Run; stale?: string }> {
  const lock = RunLock.acquire(store, runId);
  if (!(lock instanceof RunLock)) throw busy(runId, lock.why);
  try {
    // Read after locking: another process may have finished or claimed it meanwhile.
    const run = await store.getRun(runId);
    if (run.info.status !== 'RUNNING') return { lock, run };
    const owner = ownerState(ownerOf(run));
    if (owner.state === 'gone') return { lock, run, stale: owner.why };
    if (owner.state === 'unknown') throw new UserError(`run ${runId} is RUNNING and may be trained elsewhere (${owner.why}); if no process trains it, close it with \`exp runs clean --force ${runId}\`, or pass --rerun to train a separate run`);
    throw busy(runId, owner.why);
  } catch (e) {
    lock.release();
    throw e;
  }
}
