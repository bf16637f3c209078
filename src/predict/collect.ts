import { realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { DataError } from '../data/errors.js';
import { readEntries } from '../data/entries.js';
import { compareNames, IMAGE_FILE } from '../data/scan.js';

/**
 * Files as given (whatever their extension: the user named them) and, for folders, every
 * .jpeg/.jpg/.png below them, sorted, so output order is stable. Symbolic links are followed as
 * training follows them; a folder linked from inside itself is a DataError naming the link.
 * A missing path is a UserError.
 */
export async function collectImages(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  /** `within`: the real paths of the folders being walked, to stop at a link back up. */
  const walk = (dir: string, within: string[]): void => {
    const real = realpathSync(dir);
    if (within.includes(real)) throw new DataError(`symbolic link loop at ${dir} (it leads back to ${real})`);
    for (const e of readEntries(dir).sort((a, b) => compareNames(a.name, b.name))) {
      if (e.kind === 'dir') walk(e.path, [...within, real]);
      else if (e.kind === 'file' && IMAGE_FILE.test(e.name)) out.push(e.path);
    }
  };
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) throw new UserError(`no such file or folder: ${p}`);
    if (info.isDirectory()) {
      const before = out.length;
      walk(p, []);
      if (out.length === before) throw new UserError(`no .jpeg/.jpg/.png images in folder ${p}`);
    } else out.push(p);
  }
  return out;
}
