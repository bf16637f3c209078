/** K-fold cross-validation end to end on tiny real runs: fold children under one parent, its aggregates, resume, config errors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { readTestPredictions } from '../../src/compare/test-predictions.js';
import { boardFor } from '../../src/rank/board-for.js';
import { runAll, runOrSkip } from '../../src/runner/run-all.js';
import { FileStore, type Run } from '../../src/tracking/index.js';
import { headlines, issuesOf } from '../helpers/experiment-files.js';
import { quiet, TempDir, tinyYaml } from '../record/fixtures.js';

let dir: TempDir;
beforeEach(() => (dir = new TempDir('exp-kfold-')));
afterEach(() => dir.cleanup());

const kfoldYaml = (validation = '{kfold: 3, stratify: true}') => tinyYaml({ experiment: 'cv', name: 'cv', validation });

describe('k-fold cross-validation', () => {
  it('trains K fold runs under one parent, which logs their mean and sd and the fold-ensemble; a re-run trains only missing folds', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = loadRuns(dir.write('cv.yaml', kfoldYaml()));
    expect(file.runs.map((r) => [r.config.name, r.config.data.validation.fold])).toEqual([
      ['cv fold=1/3', 0],
      ['cv fold=2/3', 1],
      ['cv fold=3/3', 2],
    ]);
    // As if an earlier process finished fold 1 and died: re-running trains only the other two.
    const early = await runOrSkip(file.runs[0]!, store, quiet(), false);
    expect(early.status).toBe('finished');
    const outcomes = await runAll([file], store, quiet(), false);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'finished', 'finished']);
    expect(outcomes[0]!.runId).toBe(early.runId);

    const expId = (await store.getExperimentByName('cv'))!.experimentId;
    const runs = await store.searchRuns([expId]);
    const parent = runs.find((r) => r.data.tags['exp.kfold'] === '3')!;
    expect(parent.info).toMatchObject({ status: 'FINISHED', runName: 'cv (3-fold)' });
    const folds = runs.filter((r) => r.info.runId !== parent.info.runId);
    // The fold run trained before the parent existed has none; the two trained under it do.
    expect(folds.filter((r) => r.data.tags['mlflow.parentRunId'] === parent.info.runId).map((r) => r.info.runName).sort()).toEqual(['cv fold=2/3', 'cv fold=3/3']);

    // The folds validate on disjoint images that together are all of train.
    const validation = await Promise.all(outcomes.map((o) => readTestPredictions(store, o.runId!, 'validation')));
    const files = validation.flatMap((v) => v.files);
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBe(160);

    // Mean and sd against the folds' own figures.
    const byId = new Map<string, Run>(folds.map((r) => [r.info.runId, r]));
    const values = (key: string) => outcomes.map((o) => byId.get(o.runId!)!.data.metrics[key]!);
    for (const key of ['test_accuracy', 'best_val_accuracy', 'test_recall_NORMAL', 'test_auc']) {
      const v = values(key);
      const mean = (v[0]! + v[1]! + v[2]!) / 3;
      const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
      expect(parent.data.metrics[`${key}_mean`]).toBeCloseTo(mean, 12);
      expect(parent.data.metrics[`${key}_sd`]).toBeCloseTo(sd, 12);
    }
    // The parent's own result: the fold-ensemble on test, the threshold chosen out of fold.
    expect(parent.data.metrics.test_accuracy).toBeGreaterThanOrEqual(0);
    expect(parent.data.metrics.test_accuracy_ci_low).toBeLessThanOrEqual(parent.data.metrics.test_accuracy!);
    expect(Number(parent.data.tags['exp.threshold'])).toBe(parent.data.metrics.threshold);
    expect(['PASS', 'FAIL']).toContain(parent.data.tags['exp.verdict']);
    expect(parent.data.params['data.validation.kfold']).toBe('3');
    const ensemble = await readTestPredictions(store, parent.info.runId);
    const tests = await Promise.all(outcomes.map((o) => readTestPredictions(store, o.runId!)));
    expect(ensemble.files).toEqual(tests[0]!.files);
    expect(ensemble.probabilities[5]![1]).toBeCloseTo(tests.reduce((a, t) => a + t.probabilities[5]![1]!, 0) / 3, 6);
    expect((await readTestPredictions(store, parent.info.runId, 'validation')).files.sort()).toEqual([...files].sort());

    // Once more: every fold skipped, the same parent finished again.
    const again = await runAll([loadRuns(dir.write('cv.yaml', kfoldYaml()))], store, quiet(), false);
    expect(again.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect((await store.searchRuns([expId])).filter((r) => r.data.tags['exp.kfold'])).toHaveLength(1);
  }, 180_000);

  it('works in a sweep with --jobs: one k-fold parent per point under the sweep parent, ranked by the folds\' mean', async () => {
    const runsDir = dir.path('runs');
    const store = new FileStore(runsDir);
    const text = `${kfoldYaml('{kfold: 2}')}sweep:\n  grid:\n    train.optimizer.lr: [0.01, 0.001]\n`;
    const path = dir.write('sweep.yaml', text);
    const file = loadRuns(path);
    expect(file.runs.map((r) => r.config.name)).toEqual(['cv lr=0.01 fold=1/2', 'cv lr=0.01 fold=2/2', 'cv lr=0.001 fold=1/2', 'cv lr=0.001 fold=2/2']);
    const outcomes = await runAll([file], store, quiet(), false, 2, { files: [path], overrides: [], trackingUri: runsDir, threads: 1 });
    expect(outcomes.map((o) => o.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
    const runs = await store.searchRuns([(await store.getExperimentByName('cv'))!.experimentId]);
    const sweep = runs.find((r) => r.data.tags['exp.sweep'] === 'true')!;
    const parents = runs.filter((r) => r.data.tags['exp.kfold'] === '2');
    expect(parents.map((r) => [r.info.runName, r.info.status, r.data.tags['mlflow.parentRunId']]).sort()).toEqual([
      ['cv lr=0.001 (2-fold)', 'FINISHED', sweep.info.runId],
      ['cv lr=0.01 (2-fold)', 'FINISHED', sweep.info.runId],
    ]);
    for (const p of parents) expect(runs.filter((r) => r.data.tags['mlflow.parentRunId'] === p.info.runId)).toHaveLength(2);
    const { rows } = await boardFor(store, 'cv', 'test_accuracy_mean', sweep.info.runId);
    expect(rows.map((r) => r.runName).sort()).toEqual(['cv lr=0.001 (2-fold)', 'cv lr=0.01 (2-fold)']);
    const means = rows.map((r) => parents.find((p) => p.info.runId === r.runId)!.data.metrics.test_accuracy_mean!);
    expect(means[0]).toBeGreaterThanOrEqual(means[1]!);
  }, 180_000);

  it('refuses bad kfold settings with located errors', () => {
    const problems = (validation: string) => headlines(issuesOf(() => loadRuns(dir.write('cv.yaml', kfoldYaml(validation)))));
    expect(problems('{kfold: 1}')).toEqual([expect.stringMatching(/cv\.yaml:7:\d+: .*kfold.*>= 2/)]);
    expect(problems('{kfold: 2.5}')).toEqual([expect.stringMatching(/cv\.yaml:7:\d+: .*kfold.*integer/)]);
    expect(problems('{kfold: 3, from: val}')).toEqual([expect.stringMatching(/cv\.yaml:7:\d+: data\.validation\.kfold cross-validates train: from: val does not go with it/)]);
    expect(problems('{kfold: 3, fraction: 0.2}')).toEqual([expect.stringMatching(/cv\.yaml:7:\d+: data\.validation\.kfold sets the folds: a fraction does not go with it/)]);
    expect(problems('{stratify: true}')).toEqual([expect.stringMatching(/data\.validation needs from \(train or val\) or kfold/)]);
  });
});
