import type { GroupSpec } from '../data/groups.js';
import { inspectGroups, type GroupInspection } from './groups.js';
import { probeFile } from './probe.js';
import { walkDataDir, type DataFile } from './walk.js';

export interface ImageInfo extends DataFile {
  width: number;
  height: number;
  channels: number;
  format: string;
}

export interface SplitCounts {
  split: string;
  /** class -> images (readable or not: what training would try to read) */
  counts: Record<string, number>;
  total: number;
  /** largest class / smallest class; Infinity when a class is missing from the split */
  imbalance: number;
}

export interface DuplicateGroup {
  hash: string;
  files: string[];
  splits: string[];
  /** the same image in two splits: test or validation results leak from training */
  crossSplit: boolean;
  /** the same content under two class names */
  conflictingLabels: boolean;
}

export interface DataInspection {
  dir: string;
  classes: string[];
  splits: SplitCounts[];
  images: ImageInfo[];
  /** "WxH" -> images, most common first */
  sizes: { size: string; count: number }[];
  channels: Record<string, number>;
  formats: Record<string, number>;
  duplicates: DuplicateGroup[];
  unreadable: { file: string; reason: string }[];
  /** with a group pattern: groups per split and the groups in more than one split */
  groups?: GroupInspection;
}

/** How often each value occurs. */
export const tally = (values: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

/** Counts, sizes, channels, duplicates and unreadable files of a data directory; with `group`, its groups (patients) per split. */
export async function inspectData(dir: string, opts: { concurrency?: number; group?: GroupSpec; onProgress?: (done: number, total: number) => void } = {}): Promise<DataInspection> {
  const { splits, files } = await walkDataDir(dir);
  // Before reading any image: a bad pattern is an error at once.
  const groups = opts.group ? inspectGroups(dir, splits, files, opts.group) : undefined;
  const probes = new Array<Awaited<ReturnType<typeof probeFile>>>(files.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      probes[i] = await probeFile(files[i]!);
      opts.onProgress?.(++done, files.length);
    }
  };
  // sharp decodes on libuv threads: a few files in flight keep them busy without oversubscribing.
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, files.length)) }, worker));

  const classes = [...new Set(files.map((f) => f.class))].sort();
  const images: ImageInfo[] = [];
  const unreadable: DataInspection['unreadable'] = [];
  const byHash = new Map<string, DataFile[]>();
  files.forEach((f, i) => {
    const p = probes[i]!;
    if (p.hash) byHash.set(p.hash, [...(byHash.get(p.hash) ?? []), f]);
    if (p.ok) images.push({ ...f, width: p.width, height: p.height, channels: p.channels, format: p.format });
    else unreadable.push({ file: f.rel, reason: p.reason });
  });

  const splitCounts = splits.map((split): SplitCounts => {
    const inSplit = files.filter((f) => f.split === split);
    const counts = Object.fromEntries(classes.map((c) => [c, inSplit.filter((f) => f.class === c).length]));
    const values = Object.values(counts);
    const min = Math.min(...values);
    return { split, counts, total: inSplit.length, imbalance: min === 0 ? Infinity : Math.max(...values) / min };
  });
  const duplicates = [...byHash.entries()]
    .filter(([, group]) => group.length > 1)
    .map(([hash, group]): DuplicateGroup => {
      const groupSplits = [...new Set(group.map((f) => f.split))];
      return { hash, files: group.map((f) => f.rel), splits: groupSplits, crossSplit: groupSplits.length > 1, conflictingLabels: new Set(group.map((f) => f.class)).size > 1 };
    })
    .sort((a, b) => Number(b.crossSplit) - Number(a.crossSplit) || a.files[0]!.localeCompare(b.files[0]!));
  const sizes = Object.entries(tally(images.map((i) => `${i.width}x${i.height}`)))
    .map(([size, count]) => ({ size, count }))
    .sort((a, b) => b.count - a.count || a.size.localeCompare(b.size));
  return {
    dir,
    classes,
    splits: splitCounts,
    images,
    sizes,
    channels: tally(images.map((i) => String(i.channels))),
    formats: tally(images.map((i) => i.format)),
    duplicates,
    unreadable,
    ...(groups ? { groups } : {}),
  };
}
