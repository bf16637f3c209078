/** The paired bootstrap and compareRuns on constructed predictions whose differences are known. */
import { describe, expect, it } from 'vitest';
import { alignTestSets, compareRuns } from '../../src/compare/compare-runs.js';
import { CompareError } from '../../src/compare/errors.js';
import { comparisonSentence, formatComparison } from '../../src/compare/format.js';
import { pairedBootstrap } from '../../src/compare/paired-bootstrap.js';
import type { TestPredictions } from '../../src/compare/test-predictions.js';

/** 100 NORMAL then 100 PNEUMONIA images; `wrong(i)` says which ones the run gets wrong. */
function run(name: string, wrong: (i: number) => boolean, files = (i: number) => `test/${i < 100 ? 'NORMAL' : 'PNEUMONIA'}/${i}.png`): TestPredictions {
  const labels = Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
  const predicted = labels.map((l, i) => (wrong(i) ? 1 - l : l));
  // Probabilities that follow the prediction, spread so AUC is defined.
  const probabilities = predicted.map((p, i) => {
    const q = p === 1 ? 0.6 + (i % 10) / 30 : 0.4 - (i % 10) / 30;
    return [1 - q, q];
  });
  return { runId: name, runName: name, classes: ['NORMAL', 'PNEUMONIA'], files: labels.map((_, i) => files(i)), labels, predicted, probabilities };
}

describe('pairedBootstrap', () => {
  it('of a difference present in every image is that difference, with p = 0', () => {
    const labels = [0, 0, 1, 1];
    const r = pairedBootstrap(labels, 2, (picked) => ({ d: picked.length * 0 + 0.25 }), { resamples: 50 });
    expect(r.d).toEqual({ diff: 0.25, low: 0.25, high: 0.25, p: 0 });
  });

  it('draws the same images for both models, so identical models differ by exactly 0 (p = 1)', () => {
    const a = run('a', (i) => i % 3 === 0);
    const c = compareRuns(a, { ...a, runId: 'a2' }, { resamples: 200 });
    for (const m of c.metrics) expect([m.diff, m.low, m.high, m.p]).toEqual([0, 0, 0, 1]);
    expect(formatComparison(c, { a: 'a', b: 'a2' })).toMatch(/no significant difference$/);
  });
});

describe('compareRuns', () => {
  // a misses half the PNEUMONIA images (the even ones), b misses none; both get NORMAL right.
  const a = run('a', (i) => i >= 100 && i % 2 === 0);
  const b = run('b', () => false);
  const c = compareRuns(a, b, { resamples: 2000, seed: 1 });
  const by = (key: string) => c.metrics.find((m) => m.key === key)!;

  it("tests accuracy with McNemar's exact test on the discordant images", () => {
    expect(c.discordant).toEqual({ aOnly: 0, bOnly: 50 });
    // 50 discordant pairs, all one way: p = 2 * 0.5^50.
    expect(by('accuracy')).toMatchObject({ a: 0.75, b: 1, diff: 0.25, test: 'mcnemar' });
    expect(by('accuracy').p).toBeCloseTo(2 * 0.5 ** 50, 20);
  });

  it('bounds PNEUMONIA recall by the bootstrap around +0.5 (binomial sd 0.05 on 100 images)', () => {
    const r = by('recall_PNEUMONIA');
    expect(r).toMatchObject({ a: 0.5, b: 1, diff: 0.5, test: 'paired bootstrap', p: 0 });
    // Stratified resamples keep 100 PNEUMONIA images: the difference is the share a misses, ~N(0.5, 0.05).
    expect(r.low).toBeGreaterThan(0.38);
    expect(r.low).toBeLessThan(0.42);
    expect(r.high).toBeGreaterThan(0.58);
    expect(r.high).toBeLessThan(0.62);
    expect(by('recall_NORMAL')).toMatchObject({ diff: 0, low: 0, high: 0, p: 1 });
    expect(comparisonSentence(r)).toMatch(/^b is better than a on PNEUMONIA recall \(\+0\.50, 95% CI \+0\.(39|4\d)\.\.\+0\.(5\d|6\d), p < 0\.001\)$/);
    expect(comparisonSentence(by('recall_NORMAL'))).toBe('no significant difference on NORMAL recall (b - a +0.00, 95% CI +0.00..+0.00, p = 1.000)');
  });

  it('says the winner first, with the margin turned its way, when a is the better run', () => {
    const flipped = compareRuns(b, a, { resamples: 300 }).metrics.find((m) => m.key === 'accuracy')!;
    expect(flipped.diff).toBe(-0.25);
    expect(comparisonSentence(flipped)).toMatch(/^a is better than b on accuracy \(\+0\.25, 95% CI \+0\.\d\d\.\.\+0\.\d\d, p < 0\.001\)$/);
  });

  it('is seeded: the same seed gives the same intervals', () => {
    expect(compareRuns(a, b, { resamples: 200, seed: 5 })).toEqual(compareRuns(a, b, { resamples: 200, seed: 5 }));
  });

  it('pairs images by file, whatever order each run lists them in', () => {
    const shuffled = { ...b, files: [...b.files].reverse(), labels: [...b.labels].reverse(), predicted: [...b.predicted].reverse(), probabilities: [...b.probabilities].reverse() };
    expect(alignTestSets(a, shuffled).files).toEqual(a.files);
    expect(compareRuns(a, shuffled, { resamples: 100 })).toEqual(compareRuns(a, b, { resamples: 100 }));
  });

  it('refuses test sets that differ: other files, another label, other classes', () => {
    const other = run('c', () => false, (i) => `test/x/${i}.png`);
    expect(() => compareRuns(a, other)).toThrow(CompareError);
    expect(() => compareRuns(a, other)).toThrow(/different test sets \(200 vs 200 images, 400 not in both, e\.g\. test\/NORMAL\/0\.png\)/);
    const relabelled = { ...b, labels: b.labels.map((l, i) => (i === 3 ? 1 : l)) };
    expect(() => compareRuns(a, relabelled)).toThrow(/label test\/NORMAL\/3\.png differently \(NORMAL vs PNEUMONIA\)/);
    expect(() => compareRuns(a, { ...b, classes: ['A', 'B'] })).toThrow(/different classes/);
    expect(() => compareRuns(a, { ...b, files: b.files.slice(1), labels: b.labels.slice(1), predicted: b.predicted.slice(1), probabilities: b.probabilities.slice(1) })).toThrow(/200 vs 199 images, 1 not in both/);
  });
});

describe('formatComparison', () => {
  it('ends with who is better on what, or no significant difference', () => {
    const a = run('a', (i) => i >= 100 && i % 2 === 0);
    const b = run('b', (i) => i < 10);
    const text = formatComparison(compareRuns(a, b, { resamples: 500 }), { a: 'a (1)', b: 'b (2)' });
    expect(text.split('\n').slice(0, 3)).toEqual(['a: a (1)', 'b: b (2)', 'same test set of 200 images; 10 right only by a, 50 only by b']);
    expect(text.split('\n').at(-1)).toBe('b is better on accuracy, AUC, PNEUMONIA recall; a is better on NORMAL recall');
  });
});
