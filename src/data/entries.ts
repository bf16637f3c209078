import { lstatSync, readdirSync, readlinkSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './errors.js';

export interface Entry {
  name: string;
  path: string;
  /** What the entry is, or (for a symbolic link) what it points at. */
  kind: 'file' | 'dir' | 'other';
}

/**
 * The entries of `dir` whose names pass `wanted` (dot-names never do), symbolic links followed:
 * DVC and git-annex check data out as links, and users build subsets and folds with them. A
 * dangling link or a loop of links is a DataError naming the link, since it is almost always a
 * broken checkout. Synchronous so that `exp validate` (synchronous) reads folders the same way
 * as a run; only links need a stat, so this stays cheap on folders of thousands of images.
 */
export function readEntries(dir: string, wanted: (name: string) => boolean = () => true): Entry[] {
  const out: Entry[] = [];
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new DataError(`cannot list folder ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // join(dir, name) for each entry was most of the time on a folder of thousands of images; a
  // name (never '.', '..' or with a separator) after join's prefix is the same path.
  const prefix = join(dir, 'x').slice(0, -1);
  for (const e of dirents) {
    if (e.name.startsWith('.') || !wanted(e.name)) continue;
    const path = prefix + e.name;
    const kindOf = (s: { isFile(): boolean; isDirectory(): boolean }): Entry['kind'] => (s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other');
    out.push({ name: e.name, path, kind: e.isSymbolicLink() ? kindOf(followLink(path)) : kindOf(e) });
  }
  return out;
}

/** stat() of what a link points at, or a DataError saying why it points nowhere. */
export function followLink(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new DataError(`symbolic link loop at ${path}`);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataError(`dangling symbolic link ${path} -> ${readlinkSync(path)} (its target does not exist)`);
    throw new DataError(`cannot follow symbolic link ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** stat() of `path`, null when nothing is there; a link there that points nowhere is a DataError. */
export function statOrNull(path: string): Stats | null {
  let link: Stats | undefined;
  try {
    link = lstatSync(path, { throwIfNoEntry: false });
  } catch (err) {
    // A file where a folder on the way was expected (ENOTDIR) means nothing is there either.
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new DataError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (link === undefined) return null;
  return link.isSymbolicLink() ? followLink(path) : link;
}
