import { groupReader, type GroupSpec } from '../data/groups.js';
import type { DataFile } from './walk.js';

export interface SplitGroups {
  split: string;
  /** distinct groups among the split's files */
  groups: number;
  images: number;
}

export interface SharedGroup {
  group: string;
  splits: string[];
  files: string[];
}

/** Groups (patients) per split, and those in more than one split: a patient trained on and evaluated on. */
export interface GroupInspection {
  pattern: string;
  from: GroupSpec['from'];
  splits: SplitGroups[];
  /** groups in two or more splits, most files first */
  shared: SharedGroup[];
  /** files the pattern gives no group (first capture group) */
  unmatched: string[];
}

/** Reads each file's group as `data.validation.group` does and finds the groups that cross splits. */
export function inspectGroups(dir: string, splits: readonly string[], files: readonly DataFile[], spec: GroupSpec): GroupInspection {
  const groupOf = groupReader(spec, dir, '--group');
  const byGroup = new Map<string, DataFile[]>();
  const unmatched: string[] = [];
  for (const f of files) {
    const g = groupOf(f.path);
    if (g === undefined) unmatched.push(f.rel);
    else byGroup.set(g, [...(byGroup.get(g) ?? []), f]);
  }
  const perSplit = splits.map((split): SplitGroups => {
    const inSplit = [...byGroup.values()].filter((members) => members.some((f) => f.split === split));
    return { split, groups: inSplit.length, images: inSplit.reduce((n, members) => n + members.filter((f) => f.split === split).length, 0) };
  });
  const shared = [...byGroup.entries()]
    .map(([group, members]): SharedGroup => ({ group, splits: splits.filter((s) => members.some((f) => f.split === s)), files: members.map((f) => f.rel) }))
    .filter((g) => g.splits.length > 1)
    .sort((a, b) => b.files.length - a.files.length || a.group.localeCompare(b.group));
  return { pattern: spec.pattern, from: spec.from, splits: perSplit, shared, unmatched };
}
