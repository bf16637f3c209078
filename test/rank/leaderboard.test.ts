/** leaderboard(): the order of runs (pass first, primary metric, missing last, ties by start) and the table. */
import { describe, expect, it } from 'vitest';
import { formatLeaderboard, leaderboard } from '../../src/rank/leaderboard.js';
import type { Run, RunStatus } from '../../src/tracking/index.js';

interface RunSpec {
  id: string;
  start?: number;
  status?: RunStatus;
  metrics?: Record<string, number>;
  targets?: Record<string, string>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

const T0 = 1_700_000_000_000;

function run({ id, start = T0, status = 'FINISHED', metrics = {}, targets = {}, params = {}, tags = {} }: RunSpec): Run {
  return {
    info: { runId: id, experimentId: '1', runName: `name-${id}`, userId: 'u', status, startTime: start, endTime: start + 1000, artifactUri: '', lifecycleStage: 'active' },
    data: {
      metrics,
      params: { ...params, ...Object.fromEntries(Object.entries(targets).map(([k, v]) => [`targets.${k}`, v])) },
      tags,
    },
  };
}

/** Metrics of a two-class run with the given accuracy and recalls. */
const m = (accuracy: number, recallA = 0.9, recallB = 0.9): Record<string, number> => ({
  test_accuracy: accuracy,
  test_recall_A: recallA,
  test_recall_B: recallB,
  test_baseline_accuracy: 0.5,
});

const ids = (runs: Run[], primary?: string): string[] => leaderboard(runs, primary).map((r) => r.runId);

describe('leaderboard order', () => {
  it('ranks runs passing every target first, even below a failing run on the metric', () => {
    const targets = { accuracy: '>= 0.8', recall: '>= 0.5' };
    const runs = [
      run({ id: 'fail-high', metrics: m(0.99, 0.99, 0.2), targets }),
      run({ id: 'pass-low', metrics: m(0.81), targets }),
      run({ id: 'pass-high', metrics: m(0.9), targets }),
      run({ id: 'fail-acc', metrics: m(0.7), targets }),
    ];
    const rows = leaderboard(runs);
    expect(rows.map((r) => r.runId)).toEqual(['pass-high', 'pass-low', 'fail-high', 'fail-acc']);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(rows.map((r) => r.verdict)).toEqual(['PASS', 'PASS', 'FAIL', 'FAIL']);
    const recall = rows[2]!.targets.find((t) => t.name === 'recall')!;
    expect(recall).toMatchObject({ className: 'B', pass: false, value: 0.2 });
    expect(recall.margin).toBeCloseTo(-0.3, 12);
  });

  it('orders by the primary metric, higher first, and puts runs missing it (or NaN) last', () => {
    const runs = [
      run({ id: 'missing', metrics: { test_auc: 0.9 }, start: T0 }),
      run({ id: 'low', metrics: { test_accuracy: 0.6 }, start: T0 + 1 }),
      run({ id: 'nan', metrics: { test_accuracy: NaN }, start: T0 + 2 }),
      run({ id: 'high', metrics: { test_accuracy: 0.8 }, start: T0 + 3 }),
      run({ id: 'zero', metrics: { test_accuracy: 0 }, start: T0 + 4 }),
    ];
    expect(ids(runs)).toEqual(['high', 'low', 'zero', 'missing', 'nan']);
    const rows = leaderboard(runs);
    expect(rows.map((r) => r.verdict)).toEqual(['NONE', 'NONE', 'NONE', 'NONE', 'NONE']);
    expect(Number.isNaN(rows[3]!.primary.value)).toBe(true);
  });

  it('takes the verdict a run without targets of its own recorded (an ensemble), and judges again one that has targets', () => {
    const runs = [
      run({ id: 'ensemble-fail', metrics: m(0.95), tags: { 'exp.verdict': 'FAIL' } }),
      run({ id: 'ensemble-pass', metrics: m(0.7), tags: { 'exp.verdict': 'PASS' } }),
      run({ id: 'own-targets', metrics: m(0.9), targets: { accuracy: '>= 0.8' }, tags: { 'exp.verdict': 'FAIL' } }),
      run({ id: 'nothing', metrics: m(0.99) }),
    ];
    expect(leaderboard(runs).map((r) => [r.runId, r.verdict])).toEqual([
      ['own-targets', 'PASS'],
      ['ensemble-pass', 'PASS'],
      ['nothing', 'NONE'],
      ['ensemble-fail', 'FAIL'],
    ]);
  });

  it('breaks ties (same verdict, same metric, or both missing) by the earlier start', () => {
    const runs = [
      run({ id: 'late', metrics: { test_accuracy: 0.7 }, start: T0 + 30 }),
      run({ id: 'early', metrics: { test_accuracy: 0.7 }, start: T0 + 10 }),
      run({ id: 'missing-late', start: T0 + 40 }),
      run({ id: 'missing-early', start: T0 + 5 }),
      run({ id: 'mid', metrics: { test_accuracy: 0.7 }, start: T0 + 20 }),
    ];
    expect(ids(runs)).toEqual(['early', 'mid', 'late', 'missing-early', 'missing-late']);
  });

  it('ranks by another metric when asked', () => {
    const runs = [run({ id: 'a', metrics: { test_accuracy: 0.9, test_auc: 0.6 } }), run({ id: 'b', metrics: { test_accuracy: 0.8, test_auc: 0.7 } })];
    expect(ids(runs, 'test_auc')).toEqual(['b', 'a']);
    expect(leaderboard(runs, 'test_auc')[0]!.primary).toEqual({ key: 'test_auc', value: 0.7 });
  });

  it('ranks by a loss ascending and by validation at the kept epoch, in the direction the metric registry gives', () => {
    const runs = [
      run({ id: 'worse', metrics: { val_loss: 0.5, best_val_loss: 0.4, best_val_accuracy: 0.8 } }),
      run({ id: 'better', metrics: { val_loss: 0.2, best_val_loss: 0.1, best_val_accuracy: 0.9 } }),
      run({ id: 'none' }),
    ];
    expect(ids(runs, 'val_loss')).toEqual(['better', 'worse', 'none']);
    expect(ids(runs, 'best_val_loss')).toEqual(['better', 'worse', 'none']);
    expect(ids(runs, 'best_val_accuracy')).toEqual(['better', 'worse', 'none']);
  });

  it('ranks by a calibration error ascending: lower Brier and ECE are better', () => {
    const runs = [
      run({ id: 'worse', metrics: { test_ece: 0.12, test_brier: 0.2 } }),
      run({ id: 'better', metrics: { test_ece: 0.03, test_brier: 0.1 } }),
    ];
    expect(ids(runs, 'test_ece')).toEqual(['better', 'worse']);
    expect(ids(runs, 'test_brier')).toEqual(['better', 'worse']);
  });

  it('refuses a metric that is not one, saying the closest', () => {
    const runs = [run({ id: 'a', metrics: m(0.9), params: { 'data.classes': '["NORMAL","PNEUMONIA"]' } })];
    expect(() => leaderboard(runs, 'val_los')).toThrow(/'val_los' is not a metric exp logs \(did you mean 'val_loss'\?\)/);
    expect(() => leaderboard(runs, 'test_recall_NORMALL')).toThrow(/did you mean 'test_recall_NORMAL'/);
    expect(() => leaderboard(runs, 'total_seconds')).toThrow(/not a metric/);
    expect(ids(runs, 'test_recall_NORMAL')).toEqual(['a']);
  });

  it('leaves out runs that did not finish', () => {
    const runs = (['RUNNING', 'FAILED', 'KILLED', 'SCHEDULED', 'FINISHED'] as const).map((status, i) => run({ id: status, status, metrics: { test_accuracy: 1 - i / 10 } }));
    expect(ids(runs)).toEqual(['FINISHED']);
    expect(leaderboard([])).toEqual([]);
  });

  it('judges targets from the logged metrics, in the class order data.classes gives', () => {
    // The run's own tag is not trusted: targets are judged again.
    const r = run({ id: 'x', metrics: m(0.9, 0.4, 0.95), targets: { recall_A: '>= 0.5', 'accuracy': '0.85' }, params: { 'data.classes': '["B","A"]' } });
    r.data.tags['exp.verdict'] = 'PASS';
    const [row] = leaderboard([r]);
    expect(row!.verdict).toBe('FAIL');
    expect(row!.targets.map((t) => [t.name, t.pass])).toEqual([
      ['recall_A', false],
      ['accuracy', true],
    ]);
    expect(row!.baseline).toBe(0.5);
  });

  it('a target whose metric is missing fails that run (it does not break the board)', () => {
    const runs = [
      run({ id: 'no-metrics', targets: { accuracy: '>= 0.5', recall: '>= 0.5' } }),
      run({ id: 'no-class-metric', metrics: { test_accuracy: 0.9 }, targets: { recall_PNEUMONIA: '>= 0.5' } }),
      run({ id: 'ok', metrics: m(0.6), targets: { accuracy: '>= 0.5', recall: '>= 0.5' } }),
    ];
    const rows = leaderboard(runs);
    expect(rows.map((r) => [r.runId, r.verdict])).toEqual([
      ['ok', 'PASS'],
      ['no-class-metric', 'FAIL'],
      ['no-metrics', 'FAIL'],
    ]);
  });
});

  it('without data.classes, the classes come from test_recall_<CLASS>, never from its interval bounds or fold statistics', () => {
    // Recall 0.9 on both classes, the lower bounds far below the target: judged on the values.
    const metrics = { ...m(0.9), test_recall_A_ci_low: 0.1, test_recall_A_ci_high: 0.95, test_recall_B_ci_low: 0.1, test_recall_B_ci_high: 0.95, test_recall_A_mean: 0.9, test_recall_A_sd: 0.01 };
    const [row] = leaderboard([run({ id: 'ci', metrics, targets: { recall: '>= 0.5' } })]);
    expect(row!.verdict).toBe('PASS');
    expect(row!.targets.map((t) => [t.name, t.value])).toEqual([['recall', 0.9]]);
  });

describe('formatLeaderboard', () => {
  it('prints one row per run with each target value and signed margin, and marks the highlighted run', () => {
    const targets = { accuracy: '>= 0.8' };
    const rows = leaderboard([run({ id: 'r1', metrics: m(0.9), targets }), run({ id: 'r2', metrics: { test_accuracy: 0.7 }, targets })]);
    const lines = formatLeaderboard(rows, 'r2').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['#', 'run', 'verdict', 'test_accuracy', 'accuracy (margin)', 'baseline', 'run id']);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['1', 'name-r1', 'PASS', '0.9000', '0.9000 (+0.1000)', '0.5000', 'r1']);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['>2', 'name-r2', 'FAIL', '0.7000', '0.7000 (-0.1000)', '-', 'r2']);
    expect(formatLeaderboard([])).toBe('no finished runs');
  });
});
