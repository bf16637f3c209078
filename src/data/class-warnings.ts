import { join } from 'node:path';
import { classCounts } from './counts.js';
import { listImageNames, listSubfolders } from './scan.js';

/**
 * A class missing from a split, with every split's count: with one training image, a 10%
 * validation set has none of it (round(0.1 x 1) = 0), its recall there is undefined and the
 * threshold is chosen without it; a class missing from test is never evaluated.
 */
export function missingClassWarnings(classes: readonly string[], splits: { name: string; y: ArrayLike<number> }[]): string[] {
  const counts = splits.map((s) => classCounts(s.y, classes.length));
  const warnings: string[] = [];
  classes.forEach((cls, c) => {
    const empty = splits.filter((_, s) => counts[s]![c] === 0).map((s) => s.name);
    if (empty.length === 0) return;
    const all = splits.map((s, k) => `${s.name} ${counts[k]![c]}`).join(', ');
    warnings.push(`class '${cls}' has no ${empty.join(' or ')} image (${all}): its metrics there are undefined`);
  });
  return warnings;
}

/** Class folders of a split that are not classes (e.g. a class only in test): left out, so say so with their counts. */
export function ignoredFolderWarnings(dataDir: string, splits: string[], classes: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const split of splits) {
    for (const folder of listSubfolders(join(dataDir, split)).filter((f) => !classes.includes(f))) {
      const n = listImageNames(join(dataDir, split, folder)).length;
      warnings.push(`${split}/${folder} (${n} image${n === 1 ? '' : 's'}) is not one of the classes (${classes.join(', ')}): ignored`);
    }
  }
  return warnings;
}
