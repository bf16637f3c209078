import path from 'node:path';
import type { Dataset } from '../data/index.js';
import { groupReader, type GroupSpec } from '../data/groups.js';

/** The run artifact listing every image of every split, so anyone can audit the split. */
export const SPLIT_ARTIFACT = 'data/split.json';

export interface SplitEntry {
  /** relative to data.dir, '/'-separated */
  file: string;
  class: string;
  /** the file's group (patient) under data.validation.group; null without grouping, or for a file the pattern does not match */
  group: string | null;
}

export type SplitName = 'train' | 'validation' | 'test';
export type SplitManifest = Record<SplitName, SplitEntry[]>;

/** A file's path relative to the data folder, '/'-separated on every platform: how artifacts name images. */
export const dataRelative = (dataDir: string, file: string): string => path.relative(dataDir, file).split(path.sep).join('/');

/** Every image of the run's train, validation and test splits with its class and group. */
export function splitManifest(dataset: Pick<Dataset, 'classes' | 'train' | 'val' | 'test'>, dataDir: string, group: GroupSpec | undefined): SplitManifest {
  const groupOf = group ? groupReader(group, dataDir) : () => undefined;
  const entries = (split: Dataset['train']): SplitEntry[] =>
    split.files.map((file, i) => ({ file: dataRelative(dataDir, file), class: dataset.classes[split.y[i]!]!, group: groupOf(file) ?? null }));
  return { train: entries(dataset.train), validation: entries(dataset.val), test: entries(dataset.test) };
}

/** How many distinct groups each split holds (files without a group not counted). */
export function groupCounts(manifest: SplitManifest): Record<SplitName, number> {
  const count = (entries: SplitEntry[]): number => new Set(entries.flatMap((e) => (e.group === null ? [] : [e.group]))).size;
  return { train: count(manifest.train), validation: count(manifest.validation), test: count(manifest.test) };
}

/** split.json's text: one image per line, so a diff or grep of two runs' splits reads line by line. */
export function splitJson(manifest: SplitManifest): string {
  const list = (entries: SplitEntry[]): string => (entries.length ? `[\n${entries.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]` : '[]');
  return `{\n${(Object.keys(manifest) as SplitName[]).map((k) => `"${k}": ${list(manifest[k])}`).join(',\n')}\n}\n`;
}
