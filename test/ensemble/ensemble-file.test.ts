/** `ensemble:` in an experiment file: run by exp run's runAll, the same run exp ensemble makes; top-k chosen on validation. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../src/core/progress.js';
import { readTestPredictions } from '../../src/compare/test-predictions.js';
import { loadRuns } from '../../src/config/expand.js';
import { ConfigError } from '../../src/config/issues.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { chooseTop } from '../../src/ensemble/choose.js';
import { createEnsemble } from '../../src/ensemble/ensemble.js';
import { loadRunModel } from '../../src/predict/load-model.js';
import { RunRecorder } from '../../src/runner/record.js';
import { runAll } from '../../src/runner/run-all.js';
import { runExperiment } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';
import { tinyRunYaml } from '../report/fixtures.js';

let root: string;
let store: FileStore;
const ids: string[] = [];
const lines: string[] = [];
const progress = new Progress({ write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream);

async function record(name: string, seed: number): Promise<string> {
  const file = path.join(root, `${name}.yaml`);
  writeFileSync(file, tinyRunYaml(name).replace('seed: 7', `seed: ${seed}`));
  const exp = loadAndValidate(file);
  const recorder = await RunRecorder.start(store, exp);
  await recorder.finish(await runExperiment(exp, new Progress(process.stdout, true), recorder));
  return recorder.runId;
}

function ensembleFile(name: string, body: string): string {
  const file = path.join(root, `${name}.yaml`);
  writeFileSync(file, `experiment: ensembles\nname: ${name}\ndescription: averaged\n${body}\n`);
  return file;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'exp-ensemble-file-'));
  store = new FileStore(path.join(root, 'runs'));
  for (const [name, seed] of [['one', 7], ['two', 8], ['three', 9]] as const) ids.push(await record(name, seed));
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an ensemble experiment file', () => {
  it('with runs: is run by runAll and gives the run exp ensemble gives, in its own experiment, with a reliability diagram and a model', async () => {
    const file = ensembleFile('one-two', 'ensemble: {runs: [one, two]}');
    const outcomes = await runAll([loadRuns(file)], store, progress, false);
    expect(outcomes).toEqual([expect.objectContaining({ name: 'one-two', status: 'finished', verdict: expect.stringMatching(/PASS|FAIL/) })]);
    const runId = outcomes[0]!.runId!;
    const direct = await createEnsemble(store, ids.slice(0, 2), 'direct');
    const [fromFile, fromCommand] = [await store.getRun(runId), await store.getRun(direct.runId)];
    expect(fromFile.data.metrics).toEqual(fromCommand.data.metrics);
    expect(fromFile.data.params['ensemble.members']).toBe(ids.slice(0, 2).join(','));
    expect(fromFile.data.tags['mlflow.note.content']).toBe('averaged');
    const experiments = await store.listExperiments();
    expect(experiments.find((e) => e.experimentId === fromFile.info.experimentId)?.name).toBe('ensembles');
    const plots = (await store.listArtifacts(runId, 'plots')).map((a) => a.path);
    expect(plots).toEqual(expect.arrayContaining(['plots/confusion_matrix.png', 'plots/roc_curve.png', 'plots/calibration.png', 'plots/calibration.svg']));
    const { signature, model } = await loadRunModel(store, runId);
    await model.release();
    expect(signature.classes).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(lines.join('')).toMatch(/== ensembles \/ one-two .*: an ensemble/);
    // Run again: the same members make the same ensemble, skipped as exp run skips an identical training; --rerun makes it again.
    expect(await runAll([loadRuns(file)], store, progress, false)).toEqual([expect.objectContaining({ status: 'skipped', runId, metrics: expect.objectContaining({ test_accuracy: fromFile.data.metrics.test_accuracy }) })]);
    const [again] = await runAll([loadRuns(file)], store, progress, true);
    expect(again).toMatchObject({ status: 'finished' });
    expect(again!.runId).not.toBe(runId);
  }, 120_000);

  it('with top: takes the best runs by a validation metric, never a test one', async () => {
    const runs = await Promise.all(ids.map((id) => store.getRun(id)));
    const byVal = [...runs].sort((a, b) => b.data.metrics.best_val_accuracy! - a.data.metrics.best_val_accuracy! || a.info.startTime - b.info.startTime);
    const chosen = await chooseTop(store, 'report-test', 2, 'best_val_accuracy');
    expect(chosen.runIds).toEqual(byVal.slice(0, 2).map((r) => r.info.runId));
    expect(chosen.lines[0]).toMatch(/member 1: .* best_val_accuracy \d\.\d{4}/);
    // A lower-is-better metric ranks the other way.
    const byLoss = [...runs].sort((a, b) => a.data.metrics.best_val_loss! - b.data.metrics.best_val_loss!);
    expect((await chooseTop(store, 'report-test', 2, 'loss')).runIds).toEqual(byLoss.slice(0, 2).map((r) => r.info.runId));
    await expect(chooseTop(store, 'report-test', 2, 'test_accuracy')).rejects.toThrow(/test metric: ensemble members are chosen on validation only/);
    await expect(chooseTop(store, 'nope', 2, 'auc')).rejects.toThrow(/no experiment named 'nope'/);

    const file = ensembleFile('top-two', 'ensemble: {top: 2, experiment: report-test, rank_by: best_val_accuracy}');
    const [outcome] = await runAll([loadRuns(file)], store, progress, false);
    const run = await store.getRun(outcome!.runId!);
    expect(run.data.params['ensemble.members']).toBe(chosen.runIds.join(','));
    expect(run.data.params['ensemble.rank_by']).toBe('best_val_accuracy');
    // Ensembles are not members of ensembles: the report-test experiment's candidates are the three trained runs.
    const e = await readTestPredictions(store, run.info.runId, 'validation');
    const [a, b] = await Promise.all(chosen.runIds.map((id) => readTestPredictions(store, id, 'validation')));
    e.probabilities.forEach((row, i) => expect(row[1]).toBeCloseTo((a!.probabilities[i]![1]! + b!.probabilities[i]![1]!) / 2, 6));
  }, 120_000);

  it('is refused with what is wrong where: training settings, a bad ensemble block', () => {
    const messages = (body: string): string[] => {
      try {
        loadRuns(ensembleFile('bad', body));
        return [];
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.issues.map((i) => i.message);
      }
    };
    expect(messages('ensemble: {runs: [one, two]}\ntrain: {epochs: 2}')).toEqual([expect.stringMatching(/an ensemble trains nothing .*: train does not apply here/)]);
    expect(messages('ensemble: {top: 1}').length).toBeGreaterThan(0);
    expect(messages('ensemble: {runs: [one]}').length).toBeGreaterThan(0);
  });
});
