/** A sweep's scheduler on real tiny trials: pruned trials end FINISHED with exp.pruned, ranked below the rest; config errors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { boardFor } from '../../src/rank/board-for.js';
import { MemoryRungs } from '../../src/registry/schedulers/index.js';
import { runAll } from '../../src/runner/run-all.js';
import { createScheduler } from '../../src/runner/scheduler.js';
import { FileStore } from '../../src/tracking/index.js';
import { headlines, issuesOf } from '../helpers/experiment-files.js';
import { quiet, TempDir, tinyYaml } from '../record/fixtures.js';

let dir: TempDir;
beforeEach(() => (dir = new TempDir('exp-sched-')));
afterEach(() => dir.cleanup());

const sweepYaml = (scheduler: string) =>
  `${tinyYaml({ experiment: 'asha', name: 'asha', epochs: 3 })}sweep:\n  grid:\n    train.optimizer.lr: [0.003, 0.00001, 0.01, 0.000003]\n  scheduler: ${scheduler}\n`;

describe('sweep.scheduler', () => {
  it('prunes real trials as the scheduler decides on their logged epochs; they end FINISHED, tagged, ranked last', async () => {
    const store = new FileStore(dir.path('runs'));
    const scheduler = '{asha: {metric: val_loss, grace_epochs: 1, reduction_factor: 2}}';
    const file = loadRuns(dir.write('sweep.yaml', sweepYaml(scheduler)));
    expect(file.sweep?.scheduler).toEqual({ asha: { metric: 'val_loss', mode: 'auto', grace_epochs: 1, reduction_factor: 2 } });
    const outcomes = await runAll([file], store, quiet(), false);
    expect(outcomes.map((o) => o.status)).toEqual(['finished', 'finished', 'finished', 'finished']);

    const runs = await store.searchRuns([(await store.getExperimentByName('asha'))!.experimentId]);
    const trials = outcomes.map((o) => runs.find((r) => r.info.runId === o.runId)!);
    // The same decisions, replayed on the val_loss each trial logged (in the order they trained).
    const replay = createScheduler(file.sweep!.scheduler, new MemoryRungs());
    const expected: boolean[] = [];
    for (const t of trials) {
      const history = await store.getMetricHistory(t.info.runId, 'val_loss');
      let pruned = false;
      for (const point of history) {
        const logs = { epoch: point.step, val_loss: point.value, val_accuracy: 0, train_loss: 0, train_accuracy: 0 };
        if (await replay.review(t.info.runName, logs, 3)) {
          pruned = true;
          break;
        }
      }
      expected.push(pruned);
      // A pruned trial trained fewer epochs and still ends with its test metrics and verdict.
      expect(history.length < 3).toBe(pruned);
      expect(t.info.status).toBe('FINISHED');
      expect(t.data.metrics.test_accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(trials.map((t) => t.data.tags['exp.pruned'] === 'true')).toEqual(expected);
    expect(outcomes.map((o) => o.pruned !== undefined)).toEqual(expected);
    expect(expected.filter(Boolean).length).toBeGreaterThan(0);
    expect(expected[0]).toBe(false);

    const { rows } = await boardFor(store, 'asha', 'test_accuracy');
    const firstPruned = rows.findIndex((r) => r.pruned);
    expect(rows.slice(firstPruned).every((r) => r.pruned)).toBe(true);
  }, 180_000);

  it('with --jobs 2: the workers send each epoch to the parent, whose scheduler stops them', async () => {
    const runsDir = dir.path('runs');
    const store = new FileStore(runsDir);
    // At its one rung (epoch 1) a trial goes on only if no earlier trial there did better: which ones is up to timing.
    const path = dir.write('sweep.yaml', sweepYaml('{asha: {metric: val_loss, mode: max, reduction_factor: 100000}}'));
    const file = loadRuns(path);
    const outcomes = await runAll([file], store, quiet(), false, 2, { files: [path], overrides: [], trackingUri: runsDir, threads: 1 });
    const runs = await store.searchRuns([(await store.getExperimentByName('asha'))!.experimentId]);
    const trials = outcomes.map((o) => runs.find((r) => r.info.runId === o.runId)!);
    for (const t of trials) {
      const epochs = (await store.getMetricHistory(t.info.runId, 'val_loss')).length;
      expect([t.info.status, epochs]).toEqual(['FINISHED', t.data.tags['exp.pruned'] === 'true' ? 1 : 3]);
    }
    expect(outcomes.map((o) => o.pruned !== undefined)).toEqual(trials.map((t) => t.data.tags['exp.pruned'] === 'true'));
    expect(trials.filter((t) => t.data.tags['exp.pruned'] === 'true').length).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('refuses an unknown scheduler or bad params with located errors', () => {
    const problems = (scheduler: string) => headlines(issuesOf(() => loadRuns(dir.write('s.yaml', sweepYaml(scheduler)))));
    expect(problems('ashaa')).toEqual([expect.stringMatching(/s\.yaml:\d+:\d+: unknown scheduler 'ashaa' \(did you mean 'asha'\?\)/)]);
    expect(problems('{asha: {reduction_factor: 1}}')).toEqual([expect.stringMatching(/sweep\.scheduler\.asha\.reduction_factor.*> 1/)]);
    expect(problems('{median: {metric: test_auc}}')).toEqual([expect.stringMatching(/sweep\.scheduler\.median\.metric/)]);
  });
});
