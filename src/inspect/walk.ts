import { join } from 'node:path';
import { DataError } from '../data/errors.js';
import { listImageNames, listSubfolders, requireDir } from '../data/scan.js';

export interface DataFile {
  path: string;
  /** relative to the data directory, '/'-separated: `train/NORMAL/x.jpeg` */
  rel: string;
  split: string;
  class: string;
}

/**
 * The `<dir>/<split>/<CLASS>/*.{jpeg,jpg,png}` layout exp reads, listed without opening a file,
 * with the folder listing a run uses (symbolic links followed the same way).
 */
export async function walkDataDir(dir: string): Promise<{ splits: string[]; files: DataFile[] }> {
  await requireDir(dir, 'data directory');
  const splits = listSubfolders(dir);
  if (splits.length === 0) throw new DataError(`no split folders (train, val, test) in ${dir}: exp expects <dir>/<split>/<CLASS>/<image>`);
  const files: DataFile[] = [];
  for (const split of splits) {
    for (const cls of listSubfolders(join(dir, split))) {
      for (const name of listImageNames(join(dir, split, cls))) files.push({ path: join(dir, split, cls, name), rel: `${split}/${cls}/${name}`, split, class: cls });
    }
  }
  return { splits, files };
}
