/** One tiny real run on data/sample, recorded into a temp file store, shared by a test file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Progress } from '../../src/core/progress.js';
import { overridesFrom } from '../../src/config/overrides.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment, type RunOutcome } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';

import { SAMPLE } from '../record/fixtures.js';

export { REPO, SAMPLE } from '../record/fixtures.js';

export interface TinyRun {
  root: string;
  store: FileStore;
  runId: string;
  experimentId: string;
  outcome: RunOutcome;
  cleanup(): void;
}

/** 32x32 grayscale, 2 epochs of a one-conv model: a real run in a few seconds. */
export function tinyRunYaml(name = 'tiny-report', extra = ''): string {
  return `experiment: report-test
name: ${name}
description: a tiny run for the report tests
data:
  dir: ${JSON.stringify(SAMPLE)}
  image: {size: [32, 32], channels: 1}
  validation: {from: val}
  cache: false
model:
  layers:
    - conv2d: {filters: 4, kernel: 3, activation: relu}
    - maxpool: {size: 2}
    - flatten
class_weight: balanced
train:
  epochs: 2
  batch_size: 32
  seed: 7
  optimizer: {name: adam, lr: 0.003}
evaluate:
  threshold: {choose_on: validation, maximize: accuracy, min_class_recall: 0.3}
targets:
  accuracy: ">= 0.5"
  recall: ">= 0.2"
${extra}`;
}

/** Runs (and records) the tiny experiment, with `--set` overrides; `finish` may log extra artifacts before the run closes. */
export async function tinyRun(opts: { name?: string; root?: string; sets?: string[]; finish?: (store: FileStore, runId: string, outcome: RunOutcome) => Promise<void> } = {}): Promise<TinyRun> {
  const root = opts.root ?? mkdtempSync(path.join(os.tmpdir(), 'exp-report-'));
  const file = path.join(root, `${opts.name ?? 'tiny'}.yaml`);
  writeFileSync(file, tinyRunYaml(opts.name));
  const exp = loadAndValidate(file, overridesFrom(opts.sets ?? []));
  const store = new FileStore(path.join(root, 'runs'));
  const recorder = await RunRecorder.start(store, exp);
  const outcome = await runExperiment(exp, new Progress(process.stdout, true), recorder);
  await opts.finish?.(store, recorder.runId, outcome);
  await recorder.finish(outcome);
  return { root, store, runId: recorder.runId, experimentId: recorder.experimentId, outcome, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
