import { describe, expect, it } from 'vitest';
import { evaluate, flatMetrics, formatReport, judgeTargets } from '../../src/metrics/index.js';
import { allPneumonia, THREE } from './fixtures.js';

describe('formatReport', () => {
  const e = evaluate(allPneumonia());
  const verdict = judgeTargets({ accuracy: '>= 0.85', recall: '>= 0.65', auc: '>= 0.5' }, flatMetrics(e), e.classes);
  const text = formatReport(e, verdict);
  const lines = text.split('\n');

  it('lays out the classification report like scikit-learn', () => {
    expect(lines.slice(0, 8)).toEqual([
      '             precision    recall  f1-score   support',
      '',
      '      NORMAL    0.0000    0.0000    0.0000       234',
      '   PNEUMONIA    0.6250    1.0000    0.7692       390',
      '',
      '    accuracy                        0.6250       624',
      '   macro avg    0.3125    0.5000    0.3846       624',
      'weighted avg    0.3906    0.6250    0.4808       624',
    ]);
  });

  it('adds summary metrics and the decision rule', () => {
    expect(lines).toContain('balanced accuracy   0.5000');
    expect(lines).toContain('majority baseline   0.6250  (always PNEUMONIA)');
    expect(lines).toContain('ROC-AUC             0.5000');
    expect(lines).toContain('PR-AUC (AP)         0.6250');
    expect(lines).toContain('decision            PNEUMONIA if p >= 0.5000');
  });

  it('prints the confusion matrix with rows as true classes', () => {
    const at = lines.indexOf('Confusion matrix (rows: true class, columns: predicted class)');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '           NORMAL  PNEUMONIA',
      'NORMAL          0        234',
      'PNEUMONIA       0        390',
    ]);
  });

  it('ends with the verdict, each target with PASS/FAIL and margin', () => {
    expect(text.endsWith([
      'Verdict: FAIL (1 of 3 targets met)',
      '  FAIL  accuracy >= 0.85: 0.6250, margin -0.2250',
      '  FAIL  recall >= 0.65: 0.0000 (worst class: NORMAL), margin -0.6500',
      '  PASS  auc >= 0.5: 0.5000, margin +0.0000',
      '',
    ].join('\n'))).toBe(true);
  });

  it('shows each target\'s interval where one was logged', () => {
    const withCi = { ...flatMetrics(e), test_accuracy_ci_low: 0.587, test_accuracy_ci_high: 0.6614 };
    const judged = judgeTargets({ accuracy: '>= 0.85' }, withCi, e.classes);
    expect(judged.results[0]!.interval).toEqual({ low: 0.587, high: 0.6614 });
    expect(formatReport(e, judged)).toContain('  FAIL  accuracy >= 0.85: 0.6250 (CI 0.5870..0.6614), margin -0.2250');
  });

  it('leaves the verdict out when no targets are given, and honours digits', () => {
    const plain = formatReport(e, undefined, { digits: 2 });
    expect(plain).not.toContain('Verdict');
    expect(plain).toContain('   PNEUMONIA      0.63      1.00      0.77       390');
  });

  it('fits 80 columns with many long class names, using indices in the matrix', () => {
    const names = ['a-very-long-class-name-number-one-that-goes-on', 'b-second-long-class-name', 'c-third-long-class-name'];
    const wide = formatReport(evaluate({ ...THREE, classes: names }));
    expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(wide).toContain('a-very-long-class-name-number…    0.5000');
    expect(wide).toContain('[0] a-very-long-class-name-number…    1    1    0');
    expect(wide).toContain('decision            argmax');
    expect(wide).toContain('ROC-AUC (macro OvR) 0.8750');
  });
});
