import { judgeTargets, type TargetResult } from '../metrics/targets.js';
import { isSummaryKey, requireMetricOfKey } from '../registry/metrics/index.js';
import { SWEEP_TAG, VERDICT_TAG } from '../runner/record.js';
import { PRUNED_TAG } from '../runner/trial.js';
import { printable } from '../text/escape.js';
import type { Run } from '../tracking/index.js';

export interface BoardRow {
  rank: number;
  runId: string;
  runName: string;
  /** PASS when every target passes, FAIL otherwise, NONE without targets. */
  verdict: 'PASS' | 'FAIL' | 'NONE';
  primary: { key: string; value: number };
  baseline: number;
  targets: TargetResult[];
  startTime: number;
  /** Stopped early by its sweep's scheduler: its metrics are from fewer epochs, so it ranks below the trials that finished. */
  pruned: boolean;
}

/** Class names as the run logged them (`test_recall_<CLASS>`), in class order when data.classes says. */
export function runClasses(run: Run): string[] {
  const declared = run.data.params['data.classes'];
  if (declared) {
    try {
      return JSON.parse(declared) as string[];
    } catch {
      // Fall through to the metric names.
    }
  }
  return Object.keys(run.data.metrics)
    .filter((k) => k.startsWith('test_recall_') && !isSummaryKey(k))
    .map((k) => k.slice('test_recall_'.length))
    .sort();
}

const targetsOf = (run: Run): Record<string, string> =>
  Object.fromEntries(Object.entries(run.data.params).filter(([k]) => k.startsWith('targets.')).map(([k, v]) => [k.slice('targets.'.length), v]));

/**
 * The run's own targets judged on its metrics, one by one: a target that cannot be judged (its
 * class metrics were never logged, so the class is unknown) fails the run instead of the board.
 */
function judgeRun(run: Run): { pass: boolean; results: TargetResult[] } | undefined {
  const targets = Object.entries(targetsOf(run));
  if (targets.length === 0) return undefined;
  const classes = runClasses(run);
  const results = targets.flatMap(([name, expression]) => {
    try {
      return judgeTargets({ [name]: expression }, run.data.metrics, classes).results;
    } catch {
      return [];
    }
  });
  return { pass: results.length === targets.length && results.every((r) => r.pass), results };
}

/** The verdict a run without targets of its own recorded (an ensemble, judged against its first member's targets), else NONE. */
const recordedVerdict = (run: Run): BoardRow['verdict'] => {
  const tag = run.data.tags[VERDICT_TAG];
  return tag === 'PASS' || tag === 'FAIL' ? tag : 'NONE';
};

/**
 * Finished runs ranked: trials a scheduler pruned last, those passing every target first, then by the primary metric in its
 * registered direction (a loss ascending), runs missing it last, ties by earlier start.
 * Targets are judged again from each run's logged metrics and its own targets (a run logging none: its recorded verdict). Throws
 * UnknownMetricError when `primary` names no metric.
 */
export function leaderboard(runs: Run[], primary = 'test_accuracy'): BoardRow[] {
  // A sweep's parent holds no model of its own: its children are on the board.
  const finished = runs.filter((r) => r.info.status === 'FINISHED' && r.data.tags[SWEEP_TAG] !== 'true');
  const sign = requireMetricOfKey(primary, [...new Set(finished.flatMap(runClasses))]).direction === 'lower' ? -1 : 1;
  const rows = finished
    .map((run): Omit<BoardRow, 'rank'> => {
      const judged = judgeRun(run);
      return {
        runId: run.info.runId,
        runName: run.info.runName,
        verdict: judged ? (judged.pass ? 'PASS' : 'FAIL') : recordedVerdict(run),
        primary: { key: primary, value: run.data.metrics[primary] ?? NaN },
        baseline: run.data.metrics['test_baseline_accuracy'] ?? NaN,
        targets: judged?.results ?? [],
        startTime: run.info.startTime,
        pruned: run.data.tags[PRUNED_TAG] === 'true',
      };
    });
  const score = (v: number) => (Number.isNaN(v) ? -Infinity : sign * v);
  rows.sort(
    (a, b) =>
      Number(a.pruned) - Number(b.pruned) ||
      Number(b.verdict === 'PASS') - Number(a.verdict === 'PASS') ||
      score(b.primary.value) - score(a.primary.value) ||
      a.startTime - b.startTime,
  );
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

const fixed = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(4));
const signed = (v: number) => (Number.isNaN(v) ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(4)}`);

/** The board as a text table: one row per run, each target's value and margin. */
export function formatLeaderboard(rows: BoardRow[], highlight?: string): string {
  if (rows.length === 0) return 'no finished runs';
  const targetNames = [...new Set(rows.flatMap((r) => r.targets.map((t) => t.name)))];
  const header = ['#', 'run', 'verdict', rows[0]!.primary.key, ...targetNames.map((t) => `${t} (margin)`), 'baseline', 'run id'];
  const body = rows.map((r) => [
    `${r.runId === highlight ? '>' : ''}${r.rank}`,
    `${printable(r.runName)}${r.pruned ? ' (pruned)' : ''}`,
    r.verdict,
    fixed(r.primary.value),
    ...targetNames.map((name) => {
      const t = r.targets.find((x) => x.name === name);
      return t ? `${fixed(t.value)} (${signed(t.margin)})` : '-';
    }),
    fixed(r.baseline),
    r.runId,
  ]);
  const widths = header.map((_, c) => Math.max(header[c]!.length, ...body.map((row) => row[c]!.length)));
  return [header, ...body].map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
