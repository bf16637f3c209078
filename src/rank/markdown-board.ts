import { formatSeconds } from '../core/progress.js';
import { classKey } from '../data/class-keys.js';
import { ENSEMBLE_TAG, PARENT_TAG } from '../runner/record.js';
import { codeSpan, markdownTable, markdownText } from '../text/markdown.js';
import type { Run } from '../tracking/index.js';
import { runClasses, type BoardRow } from './leaderboard.js';
import { reproduce } from './reproduce.js';

/** What the engine tags of a run say (RunRecorder.started). */
const ENGINE_TAG = 'exp.engine';
const BACKEND_TAG = 'exp.backend';
const DEVICE_TAG = 'exp.device';
export const ENGINE_TAGS = [ENGINE_TAG, BACKEND_TAG, DEVICE_TAG];

const fixed3 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(3));

/** A logged metric with its 95% interval when the run logged one: `0.883 [0.857, 0.907]`, as the README's tables write it. */
function withInterval(metrics: Record<string, number>, key: string): string {
  const [value, low, high] = [metrics[key], metrics[`${key}_ci_low`], metrics[`${key}_ci_high`]];
  if (value === undefined || Number.isNaN(value)) return '-';
  return low !== undefined && high !== undefined ? `${fixed3(value)} [${fixed3(low)}, ${fixed3(high)}]` : fixed3(value);
}

const ownEngine = (run: Run): string | undefined => {
  const { tags } = run.data;
  if (!tags[ENGINE_TAG]) return undefined;
  return tags[BACKEND_TAG] ? `${tags[ENGINE_TAG]} (${tags[BACKEND_TAG]}, ${tags[DEVICE_TAG] ?? '?'})` : tags[ENGINE_TAG];
};

/** The engine that trained the run; an ensemble or a k-fold parent trains nothing itself: its members' or folds' engines. */
function engineOf(run: Run, runs: readonly Run[]): string {
  const own = ownEngine(run);
  if (own) return own;
  const members = new Set(run.data.tags[ENSEMBLE_TAG]?.split(',') ?? []);
  const makers = runs.filter((r) => members.has(r.info.runId) || r.data.tags[PARENT_TAG] === run.info.runId);
  const engines = [...new Set(makers.map(ownEngine).filter((e): e is string => e !== undefined))];
  return engines.length ? engines.join(', ') : '-';
}

/**
 * Seconds the run took: its own measure (`total_seconds`); a k-fold parent's from its first fold's
 * start (not its own: `exp run` opens every parent before it trains the first run); else its start to its end.
 */
function wallSeconds(run: Run, runs: readonly Run[]): number | undefined {
  const total = run.data.metrics['total_seconds'];
  if (total !== undefined) return total;
  if (run.info.endTime === undefined) return undefined;
  const folds = runs.filter((r) => r.data.tags[PARENT_TAG] === run.info.runId);
  const start = Math.min(...folds.map((r) => r.info.startTime), run.info.endTime);
  return (run.info.endTime - (folds.length ? start : run.info.startTime)) / 1000;
}

/**
 * The board as a GitHub Markdown table, for a README or a pull request: per run its verdict,
 * test accuracy, each class's recall and AUC with their 95% intervals, the metric that orders the
 * board (a validation metric, `best_val_*`, when runs are chosen without test), the engine, the
 * wall time and the command that makes it again. `runs` are the board's runs (and their parents
 * and members where the store has them finished); `cwd` is where the commands are typed.
 */
export function formatMarkdownBoard(rows: BoardRow[], runs: readonly Run[], cwd = process.cwd()): string {
  if (rows.length === 0) return 'no finished runs';
  const byId = new Map(runs.map((r) => [r.info.runId, r]));
  const ranked = rows.map((row) => ({ row, run: byId.get(row.runId)! }));
  const classes = [...new Set(ranked.flatMap(({ run }) => runClasses(run).map(classKey)))];
  const shown = ['test_accuracy', ...classes.map((c) => `test_recall_${c}`), 'test_auc'];
  const primary = rows[0]!.primary.key;
  const extra = shown.includes(primary) ? [] : [primary];
  const header = ['#', 'run', 'verdict', 'test accuracy [95% CI]', ...classes.map((c) => `recall ${markdownText(c)} [95% CI]`), 'test AUC [95% CI]', ...extra.map(codeSpan), 'engine', 'wall', 'reproduce'];
  const body = ranked.map(({ row, run }) => {
    const again = reproduce(run, runs, cwd);
    const seconds = wallSeconds(run, runs);
    return [
      String(row.rank),
      markdownText(`${row.runName}${row.pruned ? ' (pruned)' : ''}`),
      row.verdict,
      ...shown.map((key) => withInterval(run.data.metrics, key)),
      ...extra.map((key) => withInterval(run.data.metrics, key)),
      markdownText(engineOf(run, runs)),
      seconds === undefined ? '-' : formatSeconds(seconds),
      again ? `${codeSpan(again.command)}${again.scope ? ` (${markdownText(again.scope)})` : ''}` : '-',
    ];
  });
  return markdownTable(header, body);
}
