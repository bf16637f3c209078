import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../data/errors.js';
import { compareNames, listSubfolders, requireDir } from '../data/scan.js';

/** The image types exp trains on (as src/data/scan.ts reads them). */
const IMAGE_FILE = /\.(jpe?g|png)$/i;

export interface DataFile {
  path: string;
  /** relative to the data directory, '/'-separated: `train/NORMAL/x.jpeg` */
  rel: string;
  split: string;
  class: string;
}

/** The `<dir>/<split>/<CLASS>/*.{jpeg,jpg,png}` layout exp reads, listed without opening a file. */
export async function walkDataDir(dir: string): Promise<{ splits: string[]; files: DataFile[] }> {
  await requireDir(dir, 'data directory');
  const splits = await listSubfolders(dir);
  if (splits.length === 0) throw new DataError(`no split folders (train, val, test) in ${dir}: exp expects <dir>/<split>/<CLASS>/<image>`);
  const files: DataFile[] = [];
  for (const split of splits) {
    for (const cls of await listSubfolders(join(dir, split))) {
      const names = (await readdir(join(dir, split, cls), { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.') && IMAGE_FILE.test(e.name))
        .map((e) => e.name)
        .sort(compareNames);
      for (const name of names) files.push({ path: join(dir, split, cls, name), rel: `${split}/${cls}/${name}`, split, class: cls });
    }
  }
  return { splits, files };
}
