import { describe, expect, it } from 'vitest';
import { binaryCounts, normalizeProbabilities, prCurve, rankingMetrics, rocCurve } from '../../src/metrics/index.js';
import { TEN, THREE } from './fixtures.js';

function counts(scores: number[], labels: number[]): ReturnType<typeof binaryCounts> {
  return binaryCounts(scores, labels.map((l) => l === 1));
}

const auc = (scores: number[], labels: number[]): number => rocCurve(counts(scores, labels)).auc;
const ap = (scores: number[], labels: number[]): number => prCurve(counts(scores, labels)).averagePrecision;

describe('binaryCounts', () => {
  it('groups equal scores into one step, highest first', () => {
    expect(counts([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1])).toEqual({
      thresholds: [0.9, 0.6, 0.2],
      tp: [1, 2, 2],
      fp: [0, 1, 2],
      positives: 2,
      negatives: 2,
    });
  });
});

describe('ROC', () => {
  it('gives the 10-sample case 19 of 24 correctly ordered pairs', () => {
    // positives 0.35, 0.55, 0.8, 0.9 beat 3, 4, 6, 6 of the 6 negatives
    expect(auc(TEN.probabilities, TEN.labels)).toBeCloseTo(19 / 24, 12);
  });

  it('lists one point per distinct score with its threshold, from (0,0) to (1,1)', () => {
    const { points } = rocCurve(counts(TEN.probabilities, TEN.labels));
    expect(points).toHaveLength(11);
    expect(points[0]).toEqual({ threshold: Infinity, fpr: 0, tpr: 0 });
    expect(points[2]).toEqual({ threshold: 0.8, fpr: 0, tpr: 0.5 });
    expect(points[5]).toEqual({ threshold: 0.55, fpr: 2 / 6, tpr: 0.75 });
    expect(points[10]).toEqual({ threshold: 0.1, fpr: 1, tpr: 1 });
  });

  it('counts a tied positive/negative pair as half', () => {
    // pairs: 0.6 vs 0.2 -> 1, 0.6 vs 0.6 -> 0.5, 0.9 vs both -> 2; 3.5 / 4
    expect(auc([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1])).toBe(0.875);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('is 1 for a perfect classifier and 0 for an inverted one', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('equals the Mann-Whitney statistic on tied random scores', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const labels = Array.from({ length: 60 }, () => (rand() < 0.4 ? 1 : 0));
    // One decimal, so many ties; positives shifted up a little.
    const scores = labels.map((l) => Math.min(1, Math.round((rand() * 0.8 + l * 0.2) * 10) / 10));
    let u = 0;
    let pairs = 0;
    labels.forEach((li, i) => {
      if (li !== 1) return;
      labels.forEach((lj, j) => {
        if (lj !== 0) return;
        pairs++;
        u += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      });
    });
    expect(auc(scores, labels)).toBeCloseTo(u / pairs, 12);
  });

  it('is NaN when one side is missing', () => {
    expect(auc([0.3, 0.7], [1, 1])).toBeNaN();
  });
});

describe('average precision', () => {
  it('matches the scikit-learn documentation example', () => {
    // 0.8 P (P=1, R=.5), 0.4 N, 0.35 P (P=2/3, R=1): .5 * 1 + .5 * 2/3
    expect(ap([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('matches a hand computation on the 10-sample case', () => {
    // positives reached at precision 1/1, 2/2, 3/5, 4/7, each adding recall 1/4
    expect(ap(TEN.probabilities, TEN.labels)).toBeCloseTo((1 + 1 + 3 / 5 + 4 / 7) / 4, 12);
  });

  it('takes tied scores as one step', () => {
    // one threshold: 2 of 3 predicted positives are positive, recall 0 -> 1
    expect(ap([0.6, 0.6, 0.6], [1, 0, 1])).toBeCloseTo(2 / 3, 12);
  });

  it('lists points from recall 0, precision 1, with thresholds', () => {
    const { points } = prCurve(counts([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]));
    expect(points).toEqual([
      { threshold: Infinity, recall: 0, precision: 1 },
      { threshold: 0.8, recall: 0.5, precision: 1 },
      { threshold: 0.4, recall: 0.5, precision: 0.5 },
      { threshold: 0.35, recall: 1, precision: 2 / 3 },
      { threshold: 0.1, recall: 1, precision: 0.5 },
    ]);
  });

  it('is NaN without positives', () => {
    expect(ap([0.3, 0.7], [0, 0])).toBeNaN();
  });
});

describe('rankingMetrics', () => {
  it('binary: curves of the positive class only', () => {
    const r = rankingMetrics(normalizeProbabilities(TEN.probabilities, 10, 2), TEN.labels);
    expect(r.curves.map((c) => c.classIndex)).toEqual([1]);
    expect(r.auc).toBeCloseTo(19 / 24, 12);
    expect(r.prAuc).toBeCloseTo(111 / 140, 12);
  });

  it('3 classes: macro mean of one-vs-rest AUCs', () => {
    // class a: 0.7 beats all 4 negatives, 0.3 beats 2 and ties 1 -> 6.5/8
    // class b: 0.6 beats all 4, 0.3 beats 2 and ties 1 -> 6.5/8
    // class c: 0.8 and 0.4 beat every negative -> 1
    const r = rankingMetrics(normalizeProbabilities(THREE.probabilities, 6, 3), THREE.labels);
    expect(r.curves.map((c) => c.roc.auc)).toEqual([0.8125, 0.8125, 1]);
    expect(r.auc).toBeCloseTo(0.875, 12);
  });

  it('3 classes: NaN AUC when a class is absent from the labels', () => {
    const r = rankingMetrics(normalizeProbabilities(THREE.probabilities, 6, 3), [0, 0, 1, 1, 1, 1]);
    expect(r.curves[2].roc.auc).toBeNaN();
    expect(r.auc).toBeNaN();
  });
});
