import { basename, relative } from 'node:path';
import { DataError } from './errors.js';

/** How a file's group (its patient) is read: the first capture group of a regex on its name or its path under data.dir. */
export interface GroupSpec {
  pattern: string;
  from: 'name' | 'path';
}

/** A reader of files' group keys: undefined for a file the pattern does not match. `where` names the setting in errors. */
export function groupReader(spec: GroupSpec, dir: string, where = 'data.validation.group'): (file: string) => string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(spec.pattern);
  } catch (e) {
    throw new DataError(`${where}: invalid regex ${JSON.stringify(spec.pattern)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return (file) => re.exec(spec.from === 'name' ? basename(file) : relative(dir, file))?.[1];
}

/** The group key of each file; a file the pattern does not match is an error naming it. */
export function groupKeys(files: readonly string[], spec: GroupSpec, dir: string): string[] {
  const groupOf = groupReader(spec, dir);
  return files.map((file) => {
    const key = groupOf(file);
    if (key === undefined) throw new DataError(`data.validation.group: ${JSON.stringify(spec.pattern)} gives no group (first capture group) for ${spec.from === 'name' ? basename(file) : relative(dir, file)}`);
    return key;
  });
}
