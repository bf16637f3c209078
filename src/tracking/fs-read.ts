/**
 * Reads of store files that cannot hang or wander: a FIFO or device planted in a store would
 * block `readFile` forever, and a symlink would read a file outside the store. Files are opened
 * without following links and without blocking, and only regular files are read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { TrackingError } from './errors.js';
import { errorCode } from './fs-atomic.js';

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function notRegular(file: string): TrackingError {
  return new TrackingError('MALFORMED_STORE', `Malformed MLflow file store: ${file}: not a regular file`);
}

async function openRegular(file: string): Promise<{ handle: FileHandle; size: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, FLAGS);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    // A symlink (O_NOFOLLOW) or a folder where a file belongs.
    if (errorCode(err) === 'ELOOP' || errorCode(err) === 'EISDIR' || errorCode(err) === 'ENXIO') throw notRegular(file);
    throw err;
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw notRegular(file);
  }
  return { handle, size: stat.size };
}

/** The whole file, or undefined when it does not exist. */
export async function readRegularFile(file: string): Promise<Buffer | undefined> {
  const opened = await openRegular(file);
  if (!opened) return undefined;
  try {
    return await opened.handle.readFile();
  } finally {
    await opened.handle.close();
  }
}

export async function readRegularText(file: string): Promise<string | undefined> {
  return (await readRegularFile(file))?.toString('utf8');
}

/**
 * The last `bytes` of a file (all of it when smaller), with `whole` saying which: a metric's
 * latest point is at its end, and a long history need not be read to find it.
 */
export async function readTail(file: string, bytes: number): Promise<{ text: string; whole: boolean } | undefined> {
  const opened = await openRegular(file);
  if (!opened) return undefined;
  try {
    const length = Math.min(bytes, opened.size);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await opened.handle.read(buffer, 0, length, opened.size - length);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), whole: length === opened.size };
  } finally {
    await opened.handle.close();
  }
}
