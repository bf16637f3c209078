import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAll } from '../../src/runner/run-all.js';
import { loadRuns } from '../../src/config/expand.js';
import { FileStore } from '../../src/tracking/index.js';
import { quiet, TempDir, tinyYaml } from '../record/fixtures.js';

let dir: TempDir;
beforeEach(() => (dir = new TempDir('exp-many-')));
afterEach(() => dir.cleanup());

const sweepYaml = (values: string, epochs = 1) => `${tinyYaml({ experiment: 'many', name: 'sw', epochs })}sweep:\n  grid:\n    train.optimizer.lr: ${values}\n`;

describe('exp run over several runs', () => {
  it('runs a sweep as child runs of one parent, then skips what already finished', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = loadRuns(dir.write('sweep.yaml', sweepYaml('[0.01, 0.001]')));
    const first = await runAll([file], store, quiet(), false);
    expect(first.map((o) => [o.name, o.status])).toEqual([
      ['sw lr=0.01', 'finished'],
      ['sw lr=0.001', 'finished'],
    ]);
    expect(first.every((o) => (o.verdict === 'PASS' || o.verdict === 'FAIL') && typeof o.metrics?.test_accuracy === 'number')).toBe(true);
    const expId = (await store.getExperimentByName('many'))!.experimentId;
    const runs = await store.searchRuns([expId]);
    const parent = runs.find((r) => r.data.tags['exp.sweep'] === 'true')!;
    expect(parent.info.status).toBe('FINISHED');
    const children = runs.filter((r) => r.data.tags['mlflow.parentRunId'] === parent.info.runId);
    expect(children.map((r) => r.info.runName).sort()).toEqual(['sw lr=0.001', 'sw lr=0.01']);
    expect(children.every((r) => r.info.status === 'FINISHED' && /^[0-9a-f]{16}$/.test(r.data.tags['exp.identity'] ?? ''))).toBe(true);

    // Re-running a grown sweep trains only the new point.
    const grown = loadRuns(dir.write('sweep.yaml', sweepYaml('[0.01, 0.001, 0.003]')));
    const second = await runAll([grown], store, quiet(), false);
    expect(second.map((o) => o.status)).toEqual(['skipped', 'skipped', 'finished']);
    expect(second[0]!.runId).toBe(first[0]!.runId);
    // A skipped run reports the verdict and test metrics it finished with (what `--json` prints).
    expect(second[0]!.verdict).toBe(first[0]!.verdict);
    expect(second[0]!.metrics).toEqual(first[0]!.metrics);
    // ... under the same parent, reopened and closed again: one parent holds the whole grid.
    const after = await store.searchRuns([expId]);
    const parents = after.filter((r) => r.data.tags['exp.sweep'] === 'true');
    expect(parents.map((r) => [r.info.runId, r.info.status, r.data.tags['exp.sweep.size']])).toEqual([[parent.info.runId, 'FINISHED', '3']]);
    expect(after.filter((r) => r.data.tags['mlflow.parentRunId'] === parent.info.runId).map((r) => r.info.runName).sort()).toEqual(['sw lr=0.001', 'sw lr=0.003', 'sw lr=0.01']);
    // Another shared setting is another sweep, with a parent of its own.
    const longer = await runAll([loadRuns(dir.write('sweep.yaml', sweepYaml('[0.01]', 2)))], store, quiet(), false);
    expect(longer.map((o) => o.status)).toEqual(['finished']);
    expect((await store.searchRuns([expId])).filter((r) => r.data.tags['exp.sweep'] === 'true')).toHaveLength(2);
    // --rerun trains again.
    const third = await runAll([loadRuns(dir.write('one.yaml', tinyYaml({ experiment: 'many', name: 'sw' })))], store, quiet(), true);
    expect(third.map((o) => o.status)).toEqual(['finished']);
  }, 180_000); // four sweeps trained in turn: 26-40 s alone, near 60 s on a loaded 2-core machine

  it('keeps going when one run fails and reports it', async () => {
    const store = new FileStore(dir.path('runs'));
    const good = loadRuns(dir.write('good.yaml', tinyYaml({ experiment: 'many', name: 'good' })));
    const bad = loadRuns(dir.write('bad.yaml', tinyYaml({ experiment: 'many', name: 'bad', dataDir: dir.path('missing') })));
    const outcomes = await runAll([bad, good], store, quiet(), false);
    expect(outcomes.map((o) => [o.name, o.status])).toEqual([
      ['bad', 'failed'],
      ['good', 'finished'],
    ]);
    expect(outcomes[0]!.error).toContain(dir.path('missing'));
  });

  it('trains in worker processes with --jobs 2, one failing without stopping the other', async () => {
    const runs = dir.path('runs');
    const store = new FileStore(runs);
    const goodFile = dir.write('good.yaml', tinyYaml({ experiment: 'many', name: 'good' }));
    const badFile = dir.write('bad.yaml', tinyYaml({ experiment: 'many', name: 'bad', dataDir: dir.path('missing') }));
    const files = [loadRuns(badFile), loadRuns(goodFile)];
    const outcomes = await runAll(files, store, quiet(), false, 2, { files: [badFile, goodFile], overrides: [], trackingUri: runs, threads: 1 });
    expect(outcomes.map((o) => [o.name, o.status])).toEqual([
      ['bad', 'failed'],
      ['good', 'finished'],
    ]);
    expect(outcomes[0]!.error).toContain(dir.path('missing'));
    const expId = (await store.getExperimentByName('many'))!.experimentId;
    const finished = (await store.searchRuns([expId])).filter((r) => r.info.status === 'FINISHED');
    expect(finished.map((r) => r.info.runId)).toEqual([outcomes[1]!.runId]);
  });
});
