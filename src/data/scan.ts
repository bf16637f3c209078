import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './errors.js';

/** Image files we read; the extension check is case-insensitive (.JPEG, .Png...). */
const IMAGE_FILE = /\.(jpe?g|png)$/i;

export interface ImageFile {
  /** Absolute (or as given) path to open. */
  path: string;
  /** Path relative to the data directory with '/' separators, e.g. `train/NORMAL/IM-0115-0001.jpeg`. */
  rel: string;
  size: number;
  mtimeMs: number;
}

/** Throws a DataError naming `path` unless it is a directory. */
export async function requireDir(path: string, what: string, hint = ''): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new DataError(`${what} not found: ${path}${hint}`);
  if (!info.isDirectory()) throw new DataError(`${what} is not a directory: ${path}${hint}`);
}

/** Names of the sub-folders of `dir`, sorted (code-point order, so the result is locale-independent). */
export async function listSubfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(compareNames);
}

/**
 * The images directly inside `dataDir/split/folder`, sorted by name, with sizes and mtimes
 * (they key the cache). An empty class folder is an error: it is almost always a mistake.
 */
export async function listImages(dataDir: string, split: string, folder: string): Promise<ImageFile[]> {
  const dir = join(dataDir, split, folder);
  await requireDir(dir, `class folder '${folder}'`);
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && IMAGE_FILE.test(e.name))
    .map((e) => e.name)
    .sort(compareNames);
  if (names.length === 0) throw new DataError(`class folder has no .jpeg/.jpg/.png images: ${dir}`);
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const info = await stat(path);
      return { path, rel: `${split}/${folder}/${name}`, size: info.size, mtimeMs: info.mtimeMs };
    }),
  );
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
