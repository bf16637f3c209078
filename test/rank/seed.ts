/** Runs logged as exp logs them, for board tests on any store. */
import type { TrackingStore } from '../../src/tracking/index.js';

const T0 = 1_700_000_000_000;

/** Logs finished runs (and one still running, one failed) as exp would. */
export async function seedRuns(store: TrackingStore, experiment = 'xray'): Promise<Record<string, string>> {
  const id = await store.getOrCreateExperiment(experiment);
  const ids: Record<string, string> = {};
  const add = async (name: string, start: number, metrics: Record<string, number>, status: 'FINISHED' | 'RUNNING' | 'FAILED' = 'FINISHED') => {
    const run = await store.createRun(id, { runName: name, startTime: T0 + start });
    await store.logBatch(run.runId, {
      params: { 'targets.accuracy': '>= 0.8', 'targets.recall': '>= 0.5' },
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: T0 + start, step: 0 })),
    });
    if (status !== 'RUNNING') await store.updateRun(run.runId, status, T0 + start + 10);
    ids[name] = run.runId;
  };
  const m = (acc: number, rA: number, rB: number) => ({ test_accuracy: acc, test_recall_A: rA, test_recall_B: rB, test_baseline_accuracy: 0.5 });
  await add('fails-recall', 1, m(0.95, 0.95, 0.3));
  await add('passes-low', 2, m(0.82, 0.8, 0.8));
  await add('passes-high', 3, m(0.9, 0.85, 0.9));
  await add('passes-high-later', 4, m(0.9, 0.6, 0.9));
  await add('no-metrics', 5, {});
  await add('running', 6, m(0.99, 0.99, 0.99), 'RUNNING');
  await add('failed', 7, m(0.99, 0.99, 0.99), 'FAILED');
  return ids;
}

/** The board order of the finished runs of seedRuns, by test_accuracy. */
export const EXPECTED_ORDER = ['passes-high', 'passes-high-later', 'passes-low', 'fails-recall', 'no-metrics'];
