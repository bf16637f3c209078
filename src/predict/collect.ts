import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../cli/errors.js';
import { compareNames } from '../data/scan.js';

/** The image types exp trains on (as src/data/scan.ts reads them). */
const IMAGE_FILE = /\.(jpe?g|png)$/i;

/**
 * Files as given (whatever their extension: the user named them) and, for folders, every
 * .jpeg/.jpg/.png below them, sorted, so output order is stable. A missing path is a UserError.
 */
export async function collectImages(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => compareNames(a.name, b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && IMAGE_FILE.test(e.name)) out.push(path);
    }
  };
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) throw new UserError(`no such file or folder: ${p}`);
    if (info.isDirectory()) {
      const before = out.length;
      await walk(p);
      if (out.length === before) throw new UserError(`no .jpeg/.jpg/.png images in folder ${p}`);
    } else out.push(p);
  }
  return out;
}
