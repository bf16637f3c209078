/** Reading a file store the way a test checks it: its runs, and a run's folder as it appears. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { FileStore, type Run } from '../../src/tracking/index.js';

/** Every run in a file store (all experiments). */
export async function runsIn(root: string): Promise<Run[]> {
  const store = new FileStore(root);
  return store.searchRuns((await store.listExperiments()).map((e) => e.experimentId));
}

/** The run folders (with meta.yaml) under a file store root. */
export function runFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '0' || e.name.startsWith('.')) continue;
    for (const r of readdirSync(path.join(root, e.name), { withFileTypes: true })) {
      if (r.isDirectory() && existsSync(path.join(root, e.name, r.name, 'meta.yaml'))) found.push(path.join(root, e.name, r.name));
    }
  }
  return found;
}

/** The one run folder under a file store root, once it exists. */
export const runFolder = (root: string): string | undefined => runFolders(root)[0];

/** A run folder's meta.yaml: status 1 RUNNING, 3 FINISHED, 4 FAILED, 5 KILLED. */
export const runMeta = (folder: string): { run_uuid: string; status: number; start_time: number; end_time: unknown } =>
  parse(readFileSync(path.join(folder, 'meta.yaml'), 'utf8')) as { run_uuid: string; status: number; start_time: number; end_time: unknown };

export const runTag = (folder: string, key: string): string | undefined => {
  const file = path.join(folder, 'tags', key);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};

/** Steps of a metric's points, in the order logged. */
export const metricSteps = (folder: string, key: string): number[] =>
  readFileSync(path.join(folder, 'metrics', key), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[2]));
