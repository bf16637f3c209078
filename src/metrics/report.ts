import type { Evaluation } from './evaluate.js';
import type { TargetResult, Verdict } from './targets.js';

export interface ReportOptions {
  /** decimals of metric values, default 4 (2 would hide 0.8496 vs 0.85) */
  digits?: number;
}

/** Terminal width the report keeps to. */
const WIDTH = 80;
/** Longest class name shown whole; longer ones are cut so columns still fit. */
const MAX_NAME = 30;
const COLUMN = 10;

function fit(name: string): string {
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME - 1)}…`;
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** "+0.0500" / "-0.2250": the sign says which side of the target. */
function signed(x: number, digits: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(digits)}` : 'n/a';
}

function classificationTable(e: Evaluation, digits: number): string[] {
  const width = Math.max('weighted avg'.length, ...e.classes.map((c) => fit(c).length));
  const row = (label: string, cells: string[]): string =>
    (label.padStart(width) + cells.map((c) => c.padStart(COLUMN)).join('')).trimEnd();
  const f = (x: number): string => fixed(x, digits);
  const n = String(e.n);
  return [
    row('', ['precision', 'recall', 'f1-score', 'support']),
    '',
    ...e.classes.map((c, i) => {
      const m = e.perClass[i];
      return row(fit(c), [f(m.precision), f(m.recall), f(m.f1), String(m.support)]);
    }),
    '',
    row('accuracy', ['', '', f(e.accuracy), n]),
    row('macro avg', [f(e.macro.precision), f(e.macro.recall), f(e.macro.f1), n]),
    row('weighted avg', [f(e.weighted.precision), f(e.weighted.recall), f(e.weighted.f1), n]),
  ];
}

function summary(e: Evaluation, digits: number): string[] {
  const f = (x: number): string => fixed(x, digits);
  const binary = e.classes.length === 2;
  const majority = e.classes[e.perClass.reduce((best, c, i) => (c.support > e.perClass[best].support ? i : best), 0)];
  const lines: Array<[string, string]> = [
    ['balanced accuracy', f(e.balancedAccuracy)],
    ['majority baseline', `${f(e.baselineAccuracy)}  (always ${fit(majority)})`],
    [binary ? 'ROC-AUC' : 'ROC-AUC (macro OvR)', f(e.auc)],
    [binary ? 'PR-AUC (AP)' : 'PR-AUC (macro OvR)', f(e.prAuc)],
    ['decision', e.threshold === null ? 'argmax' : `${fit(e.classes[1])} if p >= ${f(e.threshold)}`],
    // Calibration: are the probabilities what they claim? Lower is better for both.
    [binary ? 'Brier score' : 'Brier (multi-class)', f(e.brier)],
    ['ECE (10 bins)', f(e.ece)],
  ];
  return lines.map(([k, v]) => `${k.padEnd(20)}${v}`);
}

/** Column headers are class names, or [index] when names would overflow the terminal. Row labels are left-aligned. */
function confusionTable(e: Evaluation): string[] {
  const counts = e.confusion.map((r) => r.map(String));
  const countWidth = Math.max(...counts.flat().map((c) => c.length));
  const byName = e.classes.map(fit);
  const nameWidth = Math.max(...byName.map((c) => c.length));
  const wide = nameWidth + e.classes.reduce((acc, c) => acc + 2 + Math.max(fit(c).length, countWidth), 0) > WIDTH;
  const rowLabels = wide ? byName.map((c, i) => `[${i}] ${c}`) : byName;
  const headers = wide ? e.classes.map((_, i) => `[${i}]`) : byName;
  const labelWidth = Math.max(...rowLabels.map((c) => c.length));
  const widths = headers.map((h) => 2 + Math.max(h.length, countWidth));
  const line = (label: string, cells: string[]): string =>
    label.padEnd(labelWidth) + cells.map((c, i) => c.padStart(widths[i])).join('');
  return [
    'Confusion matrix (rows: true class, columns: predicted class)',
    line('', headers),
    ...counts.map((r, i) => line(rowLabels[i], r)),
  ];
}

function targetLine(r: TargetResult, digits: number): string {
  const of = r.everyClass && r.className !== null ? ` (worst class: ${fit(r.className)})` : '';
  const ci = r.interval ? ` (CI ${fixed(r.interval.low, digits)}..${fixed(r.interval.high, digits)})` : '';
  const noise = r.withinNoise ? ': passes on the point estimate, not with confidence' : '';
  return `  ${r.pass ? 'PASS' : 'FAIL'}  ${r.name} ${r.op} ${r.threshold}: ${fixed(r.value, digits)}${ci}${of}, margin ${signed(r.margin, digits)}${noise}`;
}

function verdictBlock(v: Verdict, digits: number): string[] {
  const met = v.results.filter((r) => r.pass).length;
  return [
    `Verdict: ${v.pass ? 'PASS' : 'FAIL'} (${met} of ${v.results.length} targets met)`,
    ...v.results.map((r) => targetLine(r, digits)),
  ];
}

/**
 * Plain-text report in the layout of scikit-learn's classification_report,
 * then summary metrics, the confusion matrix and, when given, the verdict.
 */
export function formatReport(evaluation: Evaluation, verdict?: Verdict, options: ReportOptions = {}): string {
  const digits = options.digits ?? 4;
  const blocks = [classificationTable(evaluation, digits), summary(evaluation, digits), confusionTable(evaluation)];
  if (verdict !== undefined) blocks.push(verdictBlock(verdict, digits));
  return `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;
}
