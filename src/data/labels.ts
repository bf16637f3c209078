import { join } from 'node:path';
import { classKeys } from './class-keys.js';
import { DataError } from './errors.js';
import { compareNames, listImages, listSubfolders, requireDir, type ImageFile } from './scan.js';

/**
 * Where labels come from.
 * - `folder` (default): `<split>/<CLASS>/*` — the class is the folder name.
 * - `filename`: every class folder of a split is read and each file gets the one class whose
 *   pattern is a substring of `<folder>/<file name>` (case-sensitive). For the chest X-ray
 *   3-class study: `{ BACTERIA: '_bacteria_', VIRUS: '_virus_', NORMAL: 'NORMAL/' }`.
 *   A file matching no pattern, or more than one, is an error naming it.
 */
export type LabelSpec = { from: 'folder' } | { from: 'filename'; classes: Record<string, string> };

export interface LabeledFiles {
  files: ImageFile[];
  /** Class index per file, into the data set's `classes`. */
  labels: number[];
}

/**
 * The class names, in label order: `explicit` if given, else sorted by name (folder names of
 * `train`, or the pattern names). With two classes the second is the positive one.
 */
export async function resolveClasses(dataDir: string, spec: LabelSpec, explicit?: string[]): Promise<string[]> {
  let found: string[];
  if (spec.from === 'filename') {
    found = Object.keys(spec.classes).sort(compareNames);
    const blank = found.find((cls) => spec.classes[cls] === '');
    if (blank !== undefined) throw new DataError(`filename label pattern for class ${blank} is empty (it would match every file)`);
    if (explicit !== undefined && [...explicit].sort(compareNames).join('\n') !== found.join('\n')) {
      throw new DataError(`classes [${explicit.join(', ')}] must be exactly the filename label classes [${found.join(', ')}]`);
    }
  } else if (explicit === undefined) {
    found = listSubfolders(join(dataDir, 'train'));
  } else {
    found = explicit;
  }
  const classes = explicit ?? found;
  if (classes.length < 2) {
    throw new DataError(`need at least 2 classes, found [${classes.join(', ')}] in ${join(dataDir, 'train')}`);
  }
  if (new Set(classes).size !== classes.length) throw new DataError(`duplicate class names in [${classes.join(', ')}]`);
  // Before any run exists: a class name that no MLflow key can hold would fail the run at its end.
  classKeys(classes);
  return classes;
}

/** Lists and labels the images of one split folder (`train`, `val` or `test`). */
export async function scanSplit(dataDir: string, split: string, classes: string[], spec: LabelSpec): Promise<LabeledFiles> {
  const splitDir = join(dataDir, split);
  const hint = split === 'test' ? ' (exp always evaluates on the test split)' : '';
  await requireDir(splitDir, `split folder '${split}'`, hint);
  const files: ImageFile[] = [];
  const labels: number[] = [];
  if (spec.from === 'folder') {
    for (const [label, cls] of classes.entries()) {
      for (const file of await listImages(dataDir, split, cls)) {
        files.push(file);
        labels.push(label);
      }
    }
    return { files, labels };
  }
  const folders = listSubfolders(splitDir);
  if (folders.length === 0) throw new DataError(`split folder has no class folders: ${splitDir}`);
  const rules = classes.map((cls, label) => ({ label, cls, pattern: spec.classes[cls] }));
  for (const folder of folders) {
    for (const file of await listImages(dataDir, split, folder)) {
      const key = file.rel.slice(split.length + 1);
      const hits = rules.filter((r) => key.includes(r.pattern));
      if (hits.length !== 1) {
        const which = hits.length === 0 ? 'matches no filename label pattern' : `matches several classes (${hits.map((h) => h.cls).join(', ')})`;
        throw new DataError(`${file.path} ${which}; patterns: ${rules.map((r) => `${r.cls}='${r.pattern}'`).join(', ')}`);
      }
      files.push(file);
      labels.push(hits[0].label);
    }
  }
  // Only train must hold every class (a class never seen in training cannot be learned); the
  // official val split, for one, has no viral pneumonia.
  if (split === 'train') {
    for (const [label, cls] of classes.entries()) {
      if (!labels.includes(label)) throw new DataError(`no image in ${splitDir} matches class ${cls} ('${spec.classes[cls]}')`);
    }
  }
  return { files, labels };
}
