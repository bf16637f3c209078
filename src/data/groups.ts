import { basename, relative } from 'node:path';
import { DataError } from './errors.js';

/** How a file's group (its patient) is read: the first capture group of a regex on its name or its path under data.dir. */
export interface GroupSpec {
  pattern: string;
  from: 'name' | 'path';
}

/** The group key of each file; a file the pattern does not match is an error naming it. */
export function groupKeys(files: readonly string[], spec: GroupSpec, dir: string): string[] {
  let re: RegExp;
  try {
    re = new RegExp(spec.pattern);
  } catch (e) {
    throw new DataError(`data.validation.group: invalid regex ${JSON.stringify(spec.pattern)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return files.map((file) => {
    const subject = spec.from === 'name' ? basename(file) : relative(dir, file);
    const key = re.exec(subject)?.[1];
    if (key === undefined) throw new DataError(`data.validation.group: ${JSON.stringify(spec.pattern)} gives no group (first capture group) for ${subject}`);
    return key;
  });
}
