/**
 * Crash- and race-safe file writes. A reader (exp's or MLflow's) never sees a half-written file:
 * content goes to a temp file and is renamed (or hard-linked) into place. The temp file lives in
 * `tempDir` (on the same file system), so a kill mid-write leaves nothing in folders readers list:
 * MLflow takes every file under `metrics/` for a metric.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, link, lstat, mkdir, readdir, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TrackingError } from './errors.js';

/** The mark of temp files that older versions of exp left beside the files they were for. */
const LEGACY_TEMP_MARK = '.tmp-';
/** `<pid>-<random>@<host>`: the sweep tells a dead writer's leftovers from a live one's. */
const TEMP_NAME = /^(\d+)-[0-9a-f]+@(.+)$/;
/** A temp file of a writer on another host is only swept once this old: its pid says nothing here. */
const FOREIGN_TEMP_MAX_AGE_MS = 24 * 3600_000;

export function isTempFile(name: string): boolean {
  return name.startsWith(LEGACY_TEMP_MARK);
}

async function tempPathFor(path: string, tempDir: string | undefined): Promise<string> {
  const name = `${process.pid}-${randomBytes(4).toString('hex')}@${hostname()}`;
  if (tempDir === undefined) return join(dirname(path), `${LEGACY_TEMP_MARK}${basename(path)}-${name}`);
  await makeDirs(tempDir);
  return join(tempDir, name);
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM'; // alive, someone else's
  }
};

/**
 * Deletes the temp files of writers that died mid-write (kill -9, power loss): those of dead
 * processes on this host, and those of other hosts after a day. Returns how many it removed.
 */
export async function sweepTempFiles(tempDir: string): Promise<number> {
  let removed = 0;
  const entries = await readdir(tempDir).catch(() => [] as string[]);
  for (const name of entries) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const file = join(tempDir, name);
    const stale =
      m[2] === hostname()
        ? !isAlive(Number(m[1]))
        : Date.now() - ((await lstat(file).catch(() => undefined))?.mtimeMs ?? Date.now()) > FOREIGN_TEMP_MAX_AGE_MS;
    if (stale && (await unlink(file).then(() => true, () => false))) removed++;
  }
  return removed;
}

/** Node's errors from writing to an open file carry no path: name the file meant, for the user. */
function withPath(err: unknown, path: string): unknown {
  if (err instanceof Error && 'code' in err && !('path' in err && err.path)) Object.assign(err, { path });
  return err;
}

async function withTempFile<T>(path: string, data: Uint8Array | string, tempDir: string | undefined, place: (temp: string) => Promise<T>): Promise<T> {
  const temp = await tempPathFor(path, tempDir);
  try {
    await writeFile(temp, data, { flag: 'wx' });
    return await place(temp);
  } catch (err) {
    throw withPath(err, path);
  } finally {
    // Gone after a rename; after a failed write (a full disk) it must not stay behind.
    await unlink(temp).catch(() => undefined);
  }
}

/** Writes the whole file or nothing, replacing what is there. `tempDir`: see the file's comment (default: beside `path`). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, tempDir?: string): Promise<void> {
  await withTempFile(path, data, tempDir, (temp) => rename(temp, path));
}

/**
 * Creates the file with its full content only if it does not exist yet (a hard link never replaces
 * an existing file). Returns false when the file already existed.
 */
export async function createFileExclusive(path: string, data: Uint8Array | string, tempDir?: string): Promise<boolean> {
  return withTempFile(path, data, tempDir, async (temp) => {
    try {
      await link(temp, path);
      return true;
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      throw err;
    }
  });
}

/**
 * Appends text to a file in one O_APPEND write, so concurrent appenders never interleave inside a
 * line. A missing file is created with the text as its first content, never empty for a moment.
 */
export async function appendAtomic(path: string, text: string, tempDir?: string): Promise<void> {
  for (;;) {
    const before = await stat(path).then((s) => s.size, () => undefined);
    try {
      // O_APPEND without O_CREAT: fails with ENOENT instead of creating an empty file.
      await appendFile(path, text, { flag: constants.O_WRONLY | constants.O_APPEND });
      return;
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') {
        // A full disk can take part of the line: cut it off, so the file still parses.
        if (before !== undefined) await truncate(path, before).catch(() => undefined);
        throw withPath(err, path);
      }
    }
    if (await createFileExclusive(path, text, tempDir)) return;
    // Lost the race to create it: append to the winner's file.
  }
}

/**
 * `mkdir -p` that fails instead of spinning: Node's recursive mkdir loops forever at 100% CPU
 * (and ignores SIGTERM) when a folder that exists refuses new entries with ENOENT, as /proc/self
 * does. Walks up to the first folder that exists, then creates each one below it.
 */
export async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    if (errorCode(err) === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  const parent = dirname(dir);
  if (parent === dir) throw new Error(`cannot create ${dir}`);
  await makeDirs(parent);
  try {
    await mkdir(dir);
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return; // made by a racing writer
    if (errorCode(err) === 'ENOENT') {
      throw new TrackingError('INVALID_PATH', `cannot create the folder ${dir}: ${parent} exists but takes no new folders (a virtual file system such as /proc?); track to an ordinary folder`);
    }
    throw err;
  }
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
