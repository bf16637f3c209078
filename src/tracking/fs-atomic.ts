/**
 * Crash- and race-safe file writes. A reader (exp's or MLflow's) never sees a half-written file:
 * content goes to a temp file in the same folder and is renamed (or hard-linked) into place.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, link, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp names stay within MLflow's key pattern so a reader listing the folder mid-write does not fail. */
const TEMP_MARK = '.tmp-';

export function isTempFile(name: string): boolean {
  return name.startsWith(TEMP_MARK);
}

function tempPathFor(path: string): string {
  return join(dirname(path), `${TEMP_MARK}${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Node's errors from writing to an open file carry no path: name the file meant, for the user. */
function withPath(err: unknown, path: string): unknown {
  if (err instanceof Error && 'code' in err && !('path' in err && err.path)) Object.assign(err, { path });
  return err;
}

async function withTempFile<T>(path: string, data: Uint8Array | string, place: (temp: string) => Promise<T>): Promise<T> {
  const temp = tempPathFor(path);
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

/** Writes the whole file or nothing, replacing what is there. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await withTempFile(path, data, (temp) => rename(temp, path));
}

/**
 * Creates the file with its full content only if it does not exist yet (a hard link never replaces
 * an existing file). Returns false when the file already existed.
 */
export async function createFileExclusive(path: string, data: Uint8Array | string): Promise<boolean> {
  return withTempFile(path, data, async (temp) => {
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
export async function appendAtomic(path: string, text: string): Promise<void> {
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
    if (await createFileExclusive(path, text)) return;
    // Lost the race to create it: append to the winner's file.
  }
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
