/** data/split.json and the group counts per split: what a run trained, validated and tested on, for audit. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment, type RunOutcome } from '../../src/runner/run-experiment.js';
import type { SplitManifest } from '../../src/runner/split-manifest.js';
import { FileStore, type Run } from '../../src/tracking/index.js';
import { quiet, SAMPLE, TempDir, tinyExperiment } from './fixtures.js';

const PATIENT = String.raw`'^((?:NORMAL2-)?IM-\d+|person\d+)'`;

let dir: TempDir;
let store: FileStore;
async function recorded(name: string, validation: string): Promise<{ run: Run; outcome: RunOutcome; split: SplitManifest; text: string }> {
  const exp = tinyExperiment(dir, { name, validation }, [], `${name}.yaml`);
  const recorder = await RunRecorder.start(store, exp);
  const outcome = await runExperiment(exp, quiet(), recorder);
  await recorder.finish(outcome);
  const text = readFileSync(path.join(store.root, recorder.experimentId, recorder.runId, 'artifacts', 'data', 'split.json'), 'utf8');
  return { run: await store.getRun(recorder.runId), outcome, split: JSON.parse(text) as SplitManifest, text };
}

let grouped: Awaited<ReturnType<typeof recorded>>;
let plain: Awaited<ReturnType<typeof recorded>>;
beforeAll(async () => {
  dir = new TempDir('exp-split-');
  store = new FileStore(dir.path('runs'));
  grouped = await recorded('grouped', `{from: train, fraction: 0.2, group: ${PATIENT}}`);
  plain = await recorded('plain', '{from: val}');
}, 180_000);
afterAll(() => dir.cleanup());

describe('data/split.json', () => {
  it('lists every image of train, validation and test, relative to data.dir, with its class, as the run used them', () => {
    const { split, outcome } = grouped;
    expect(Object.keys(split)).toEqual(['train', 'validation', 'test']);
    const rel = (files: string[]) => files.map((f) => path.relative(SAMPLE, f));
    expect(split.train.map((e) => e.file)).toEqual(rel(outcome.dataset.train.files));
    expect(split.validation.map((e) => e.file)).toEqual(rel(outcome.dataset.val.files));
    expect(split.test.map((e) => e.file)).toEqual(rel(outcome.dataset.test.files));
    expect(split.train.length + split.validation.length).toBe(160);
    expect(split.test).toHaveLength(60);
    // Validation is carved out of the train folder.
    for (const e of [...split.train, ...split.validation]) expect(e.file).toMatch(new RegExp(`^train/${e.class}/[^/]+\\.jpeg$`));
    for (const e of split.test) expect(e.file).toMatch(new RegExp(`^test/${e.class}/[^/]+\\.jpeg$`));
  });

  it('gives each image its patient, and no patient is in both train and validation', () => {
    const { split } = grouped;
    const first = split.train[0]!;
    const name = path.basename(first.file);
    expect(first.group).toBe(/^((?:NORMAL2-)?IM-\d+|person\d+)/.exec(name)![1]);
    for (const e of [...split.train, ...split.validation, ...split.test]) expect(e.group).not.toBeNull();
    const validation = new Set(split.validation.map((e) => e.group));
    expect(split.train.filter((e) => validation.has(e.group))).toEqual([]);
  });

  it('logs the number of patients per split as params', () => {
    const distinct = (entries: SplitManifest['train']) => String(new Set(entries.map((e) => e.group)).size);
    expect(grouped.run.data.params).toMatchObject({
      'data.groups.train': distinct(grouped.split.train),
      'data.groups.validation': distinct(grouped.split.validation),
      'data.groups.test': distinct(grouped.split.test),
    });
    // A patient has one or more images: fewer groups than images, at least one in each split.
    expect(Number(grouped.run.data.params['data.groups.train'])).toBeLessThanOrEqual(grouped.split.train.length);
    expect(Number(grouped.run.data.params['data.groups.validation'])).toBeGreaterThan(0);
  });

  it('without grouping: group null, the val folder as validation, no group params', () => {
    const { split, run, text } = plain;
    expect(split.validation).toHaveLength(16);
    expect(split.validation.every((e) => e.file.startsWith(`val/${e.class}/`))).toBe(true);
    expect(split.train[0]).toEqual({ file: `train/NORMAL/${path.basename(plain.outcome.dataset.train.files[0]!)}`, class: 'NORMAL', group: null });
    expect(Object.keys(run.data.params).filter((k) => k.startsWith('data.groups.'))).toEqual([]);
    // One image per line (236), so two runs' splits diff line by line; braces, 3 x 2 brackets, the final newline.
    expect(text.split('\n')).toHaveLength(236 + 2 + 6 + 1);
  });
});
