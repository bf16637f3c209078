/** Who trains a run: the host and process recorded on it, and whether that process still lives. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Run } from '../tracking/index.js';

export const OWNER_TAGS = { host: 'exp.host', pid: 'exp.pid', started: 'exp.pid_start', heartbeat: 'exp.heartbeat' } as const;

/** How often a training process stamps `exp.heartbeat` on its run. */
export const HEARTBEAT_MS = 30_000;
/** A run on another host whose heartbeat is older than this is taken for dead (20 missed beats). */
export const DEFAULT_STALE_MINUTES = 10;

export interface Owner {
  host: string;
  pid: number;
  /** `<boot id>:<start tick>` (Linux): a pid reused by another process, or after a reboot, differs. */
  started?: string;
  /** ms since the epoch. */
  heartbeat?: number;
}

/** A process's boot id and start time from /proc (Linux); undefined elsewhere or once it is gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from after its last ')'.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]; // field 22, starttime
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${ticks}`;
  } catch {
    return undefined;
  }
}

let self: Owner | undefined;
export function thisProcess(): Owner {
  self ??= { host: hostname(), pid: process.pid, ...(processStart(process.pid) ? { started: processStart(process.pid)! } : {}) };
  return self;
}

/** The tags that say this process trains the run, with a fresh heartbeat. */
export function ownerTags(now = Date.now()): Record<string, string> {
  const me = thisProcess();
  return { [OWNER_TAGS.host]: me.host, [OWNER_TAGS.pid]: String(me.pid), ...(me.started ? { [OWNER_TAGS.started]: me.started } : {}), [OWNER_TAGS.heartbeat]: String(now) };
}

export function ownerOf(run: Run): Owner | undefined {
  const t = run.data.tags;
  const host = t[OWNER_TAGS.host];
  const pid = Number(t[OWNER_TAGS.pid]);
  if (!host || !Number.isInteger(pid) || pid <= 0) return undefined;
  const heartbeat = Number(t[OWNER_TAGS.heartbeat]);
  return { host, pid, ...(t[OWNER_TAGS.started] ? { started: t[OWNER_TAGS.started] } : {}), ...(Number.isFinite(heartbeat) ? { heartbeat } : {}) };
}

export interface OwnerState {
  state: 'alive' | 'gone' | 'unknown';
  why: string;
  /** The pid was checked on this host (not only a heartbeat from afar). */
  local: boolean;
}

const ago = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/**
 * Whether the process that trains a run still lives. On this host the pid is checked (and its
 * start time, so a reused pid is not taken for it); on another host only the heartbeat can tell.
 */
export function ownerState(owner: Owner | undefined, staleMinutes = DEFAULT_STALE_MINUTES, now = Date.now()): OwnerState {
  if (!owner) return { state: 'unknown', why: 'no host or pid recorded on it (started by an older exp)', local: false };
  const who = `pid ${owner.pid} on ${owner.host}`;
  const beat = owner.heartbeat !== undefined ? `, last heartbeat ${ago(now - owner.heartbeat)} ago` : '';
  if (owner.host === thisProcess().host) {
    try {
      process.kill(owner.pid, 0);
    } catch (e) {
      // EPERM: the pid lives, under another user.
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return { state: 'gone', why: `${who} is not running`, local: true };
    }
    const started = processStart(owner.pid);
    if (owner.started && started && started !== owner.started) return { state: 'gone', why: `${who} is now another process`, local: true };
    return { state: 'alive', why: `${who} is running${beat}`, local: true };
  }
  if (owner.heartbeat === undefined) return { state: 'unknown', why: `${who}: no heartbeat recorded`, local: false };
  if (now - owner.heartbeat > staleMinutes * 60_000) return { state: 'gone', why: `no heartbeat from ${who} for ${ago(now - owner.heartbeat)}`, local: false };
  return { state: 'alive', why: `${who} trains it${beat}`, local: false };
}
