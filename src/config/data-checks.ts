import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { classKeys } from '../data/class-keys.js';
import { DataError } from '../data/errors.js';
import { listSubfolders } from '../data/scan.js';
import type { IssueCollector } from './collector.js';
import type { Override, Source } from './locate.js';
import { closest } from './suggest.js';

/**
 * `data.dir` is relative to the file that wrote it (so an experiment works from any working
 * directory), or to the working directory when it came from `--set`.
 */
export function resolveDataDir(dir: string, sources: Source[], overrides: Override[]): string {
  return resolveConfigPath(dir, ['data', 'dir'], sources, overrides);
}

/** A path the config gives at `keys`: relative to the file that set it, or to the working directory when `--set` gave it. */
export function resolveConfigPath(value: string, keys: string[], sources: Source[], overrides: Override[]): string {
  const at = keys.join('.');
  if (overrides.some((o) => at === o.path.join('.') || at.startsWith(`${o.path.join('.')}.`))) return path.resolve(value);
  const origin = sources.find((s) => s.doc.hasIn(keys));
  return path.resolve(origin ? path.dirname(origin.file) : process.cwd(), value);
}


/**
 * Where the data folder exists, checks what the experiment assumes of it (split and class
 * folders) and returns the class names; otherwise the classes the experiment lists, if any.
 * A missing folder is an error when `required` (a run needs it), else left for the run.
 */
export function checkDataDir(dir: string, declared: string[] | undefined, splits: string[], required: boolean, issues: IssueCollector): string[] | undefined {
  if (!existsSync(dir)) {
    if (required) {
      issues.add(['data', 'dir'], `data.dir ${dir} does not exist`, [
        'point the experiment at your copy of the data: --set data.dir=/path/to/chest_xray',
        "the shipped chest X-ray experiments read ../shared/data/chest_xray_224 beside the repo, which a fresh clone does not have (experiments/quickstart.yaml uses the repo's data/sample)",
        'to check the experiment file alone: exp validate --no-data',
      ]);
    }
    return declared;
  }
  if (!statSync(dir).isDirectory()) {
    issues.add(['data', 'dir'], `data.dir ${dir} is not a folder`);
    return declared;
  }
  // The run's own listing (symbolic links followed); a dangling link is reported where it is.
  const subfolders = (folder: string): string[] | null => {
    try {
      return listSubfolders(folder);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      issues.add(['data', 'dir'], e.message);
      return null;
    }
  };
  const found = subfolders(dir);
  if (found === null) return declared;
  const missing = splits.filter((s) => !found.includes(s));
  for (const split of missing) {
    issues.add(['data', 'dir'], `data.dir ${dir} has no '${split}' split folder (found: ${found.join(', ') || 'nothing'})`, [
      'expected <dir>/train/<CLASS>/*.jpeg, <dir>/test/<CLASS>/*.jpeg (and <dir>/val/ with validation.from: val)',
    ]);
  }
  if (missing.includes('train')) return declared;
  const classFolders = subfolders(path.join(dir, 'train'));
  if (classFolders === null) return declared;
  if (!declared) return classFolders;
  declared.forEach((name, i) => {
    if (classFolders.includes(name)) return;
    const guess = closest(name, classFolders);
    issues.add(['data', 'classes', i], `class '${name}' has no folder in ${path.join(dir, 'train')}` + (guess ? ` (did you mean '${guess}'?)` : ''), [
      `class folders there: ${classFolders.join(', ') || 'none'}`,
    ]);
  });
  return declared;
}

/** Every class must have a key of its own in MLflow (see classKey): found here, not after training. */
export function checkClassKeys(classes: string[], declared: boolean, issues: IssueCollector): void {
  try {
    classKeys(classes);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    issues.add(declared ? ['data', 'classes'] : ['data', 'dir'], e.message);
  }
}
