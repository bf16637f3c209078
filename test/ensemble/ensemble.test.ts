/** `exp ensemble`: the mean of two real runs, judged and logged as a run that exp predict uses. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTestPredictions } from '../../src/compare/test-predictions.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { Progress } from '../../src/core/progress.js';
import { createEnsemble } from '../../src/ensemble/ensemble.js';
import { evaluate } from '../../src/metrics/index.js';
import { loadRunModel } from '../../src/predict/load-model.js';
import { predictFiles } from '../../src/predict/predict-files.js';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';
import { REPO, SAMPLE, tinyRunYaml } from '../report/fixtures.js';

let root: string;
let store: FileStore;
const ids: string[] = [];

/** Trains and records the tiny experiment with `edit` applied to its YAML. */
async function record(name: string, edit: (yaml: string) => string): Promise<string> {
  const file = path.join(root, `${name}.yaml`);
  writeFileSync(file, edit(tinyRunYaml(name)));
  const exp = loadAndValidate(file);
  const recorder = await RunRecorder.start(store, exp);
  await recorder.finish(await runExperiment(exp, new Progress(process.stdout, true), recorder));
  return recorder.runId;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'exp-ensemble-'));
  store = new FileStore(path.join(root, 'runs'));
  // Member names are no hex digits, so neither can also read as the start of a run id.
  ids.push(await record('one', (y) => y));
  // Another seed, and test-time views of its own, which the ensemble's model must apply to this member.
  ids.push(await record('two', (y) => y.replace('seed: 7', 'seed: 8').replace('evaluate:\n', 'evaluate:\n  tta: [hflip]\n')));
}, 240_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an ensemble of two runs', () => {
  it('is the mean of their validation and test probabilities, judged at a threshold chosen on validation, and logged as a finished run', async () => {
    const result = await createEnsemble(store, ids, 'one+two');
    for (const split of ['test', 'validation'] as const) {
      const [a, b, e] = [await readTestPredictions(store, ids[0]!, split), await readTestPredictions(store, ids[1]!, split), await readTestPredictions(store, result.runId, split)];
      expect(e.files).toEqual(a.files);
      e.probabilities.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo((a.probabilities[i]![k]! + b.probabilities[i]![k]!) / 2, 6)));
      // The members differ, so the mean is neither of them.
      expect(e.probabilities).not.toEqual(a.probabilities);
    }
    const e = await readTestPredictions(store, result.runId, 'test');
    const expected = evaluate({ probabilities: e.probabilities.map((r) => r[1]!), labels: e.labels, classes: e.classes, threshold: result.threshold! });
    const run = await store.getRun(result.runId);
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.runName).toBe('one+two');
    expect(run.data.metrics.test_accuracy).toBeCloseTo(expected.accuracy, 9);
    expect(run.data.metrics.test_accuracy_ci_low).toBeLessThanOrEqual(expected.accuracy);
    expect(run.data.metrics.threshold).toBe(result.threshold);
    expect(run.data.tags['exp.verdict']).toMatch(/^(PASS|FAIL)$/);
    expect(run.data.params['ensemble.members']).toBe(ids.join(','));
    const plots = (await store.listArtifacts(result.runId, 'plots')).map((a) => a.path);
    expect(plots).toEqual(expect.arrayContaining(['plots/confusion_matrix.png', 'plots/roc_curve.png', 'plots/pr_curve.png', 'plots/threshold_metrics.png', 'plots/roc_curve.svg']));
  });

  it('exp predict on the ensemble run gives the mean of the members, each with its own views, as logged', async () => {
    const ensembleId = (await createEnsemble(store, ids, 'for-predict')).runId;
    const logged = await readTestPredictions(store, ensembleId, 'test');
    const { signature, model } = await loadRunModel(store, ensembleId);
    try {
      const files = logged.files.slice(0, 8).map((f) => path.join(SAMPLE, f));
      const { predictions } = await predictFiles(model, signature, files);
      predictions.forEach((p, i) => {
        expect(p.probabilities[1]).toBeCloseTo(logged.probabilities[i]![1]!, 5);
        expect(p.label).toBe(logged.classes[logged.predicted[i]!]);
      });
    } finally {
      await model.release();
    }
  });

  it('refuses one run twice, and members on different test sets', async () => {
    await expect(createEnsemble(store, [ids[0]!, ids[0]!], 'x')).rejects.toThrow(/named twice/);
    const other = await record('c', (y) => y.replace('validation: {from: val}', 'validation: {from: val}\n  classes: [PNEUMONIA, NORMAL]'));
    await expect(createEnsemble(store, [ids[0]!, other], 'x')).rejects.toThrow(/different classes/);
    // Validation carved from train: the member's validation images are the others' training images.
    const carved = await record('d', (y) => y.replace('validation: {from: val}', 'validation: {from: train, fraction: 0.2}'));
    await expect(createEnsemble(store, [ids[0]!, carved], 'x')).rejects.toThrow(/validated on different validation sets .*only runs on the same validation set/);
  }, 180_000);

  it('combines runs of two training seeds carved from train when data.validation.seed fixes the split, and says so when it does not', async () => {
    const carve = (seed: number, splitSeed: string) => (y: string) =>
      y.replace('validation: {from: val}', `validation: {from: train, fraction: 0.2${splitSeed}}`).replace('seed: 7', `seed: ${seed}`);
    const shared = [await record('e', carve(7, ', seed: 3')), await record('f', carve(8, ', seed: 3'))];
    const result = await createEnsemble(store, shared, 'e+f');
    const [a, b] = [await readTestPredictions(store, shared[0]!, 'validation'), await readTestPredictions(store, shared[1]!, 'validation')];
    expect(b.files).toEqual(a.files);
    expect(b.probabilities).not.toEqual(a.probabilities);
    expect((await store.getRun(result.runId)).info.status).toBe('FINISHED');
    const own = await record('g', carve(8, ''));
    await expect(createEnsemble(store, [shared[0]!, own], 'x')).rejects.toThrow(/different validation split: set data\.validation\.seed to share one/);
  }, 180_000);

  it('exp ensemble on the command line prints the report and the run id', () => {
    if (!existsSync(path.join(REPO, 'dist', 'cli', 'commands', 'ensemble.js'))) throw new Error('run npm run build first: this test spawns the built CLI');
    const res = spawnSync(process.execPath, [path.join(REPO, 'bin', 'exp.js'), 'ensemble', 'one', 'two', '--name', 'cli-ab', '--tracking-uri', path.join(root, 'runs')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^ensemble cli-ab \([0-9a-f]{32}\): the mean of one \(/);
    expect(res.stdout).toMatch(/threshold 0\.\d{4}, chosen on validation/);
    expect(res.stdout).toMatch(/Verdict: (PASS|FAIL)/);
  });
});
