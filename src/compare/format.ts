import type { Comparison, MetricComparison } from './compare-runs.js';

/** Differences with p below this are called significant. */
export const SIGNIFICANCE = 0.05;

/** p below the level, and a difference at all (a p of 0 from identical predictions is none). */
export const significant = (m: MetricComparison): boolean => m.p < SIGNIFICANCE && m.diff !== 0;

/** The run ahead on a metric, in the metric's direction (a loss lower), whether or not significantly. */
const leader = (m: MetricComparison): 'a' | 'b' => ((m.direction === 'higher' ? m.diff > 0 : m.diff < 0) ? 'b' : 'a');
const signed = (v: number): string => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(2)}`;
const pValue = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/**
 * Who is better on one metric, in a sentence. A significant difference is said as the winner's
 * margin over the loser (its interval turned the same way); otherwise as b - a.
 */
export function comparisonSentence(m: MetricComparison, names = { a: 'a', b: 'b' }): string {
  if (Number.isNaN(m.diff)) return `${m.label}: not measurable on this test set`;
  if (!significant(m)) return `no significant difference on ${m.label} (${names.b} - ${names.a} ${signed(m.diff)}, 95% CI ${signed(m.low)}..${signed(m.high)}, ${pValue(m.p)})`;
  const bAhead = leader(m) === 'b';
  const [d, lo, hi] = bAhead ? [m.diff, m.low, m.high] : [-m.diff, -m.high, -m.low];
  const [winner, loser] = bAhead ? [names.b, names.a] : [names.a, names.b];
  return `${winner} is better than ${loser} on ${m.label} (${signed(d)}, 95% CI ${signed(lo)}..${signed(hi)}, ${pValue(m.p)})`;
}

/** The whole comparison as `exp compare` prints it. */
export function formatComparison(c: Comparison, runs: { a: string; b: string }): string {
  const head = [
    `a: ${runs.a}`,
    `b: ${runs.b}`,
    `same test set of ${c.images} images; ${c.discordant.aOnly} right only by a, ${c.discordant.bOnly} only by b`,
    `(accuracy: McNemar's exact test; AUC and recall: paired bootstrap; each line is its own test at p < ${SIGNIFICANCE})`,
    '',
  ];
  const lines = c.metrics.map((m) => `  ${comparisonSentence(m)}  [a ${m.a.toFixed(3)}, b ${m.b.toFixed(3)}]`);
  const wins = (run: 'a' | 'b'): string[] => c.metrics.filter((m) => significant(m) && leader(m) === run).map((m) => m.label);
  const summary = (['b', 'a'] as const).flatMap((run) => (wins(run).length ? [`${run} is better on ${wins(run).join(', ')}`] : []));
  return [...head, ...lines, '', summary.length ? summary.join('; ') : 'no significant difference'].join('\n');
}
