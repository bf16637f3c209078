import { describe, expect, it } from 'vitest';
import { judgeTargets, knownTargetNames, parseTarget, parseTargetName, TargetError } from '../../src/metrics/index.js';

const CLASSES = ['NORMAL', 'PNEUMONIA'];

describe('parseTarget', () => {
  it('parses comparisons, percentages and plain numbers', () => {
    expect(parseTarget('>= 0.85')).toEqual({ op: '>=', threshold: 0.85 });
    expect(parseTarget('> 0.9')).toEqual({ op: '>', threshold: 0.9 });
    expect(parseTarget('<= 0.2')).toEqual({ op: '<=', threshold: 0.2 });
    expect(parseTarget('< 0.1')).toEqual({ op: '<', threshold: 0.1 });
    expect(parseTarget('>= 85%')).toEqual({ op: '>=', threshold: 0.85 });
    expect(parseTarget(' >=65.5% ')).toEqual({ op: '>=', threshold: 0.655 });
    expect(parseTarget('0.85')).toEqual({ op: '>=', threshold: 0.85 });
    expect(parseTarget(0.85)).toEqual({ op: '>=', threshold: 0.85 });
    expect(parseTarget('.9')).toEqual({ op: '>=', threshold: 0.9 });
    expect(parseTarget('1')).toEqual({ op: '>=', threshold: 1 });
  });

  it.each([
    ['=> 0.8', 'invalid target "=> 0.8": expected a comparison and a number like ">= 0.85"'],
    ['== 0.5', 'expected a comparison and a number'],
    ['', 'invalid target "": expected'],
    ['high', 'invalid target "high"'],
    ['>= 0.8 0.9', 'expected a comparison'],
    ['>= 85', 'invalid target ">= 85": a value must be between 0 and 1; did you mean ">= 85%"?'],
    ['>= 150%', 'a percentage must be between 0% and 100%'],
    ['< -0.1', 'a value must be between 0 and 1'],
  ])('rejects %j with a readable message', (expression, message) => {
    expect(() => parseTarget(expression)).toThrow(TargetError);
    expect(() => parseTarget(expression)).toThrow(message);
  });
});

describe('target names', () => {
  it('lists scalar, every-class and per-class names', () => {
    expect(knownTargetNames(CLASSES)).toEqual([
      'accuracy', 'balanced_accuracy', 'auc', 'pr_auc',
      'recall', 'precision', 'f1', 'specificity', 'macro_f1', 'youden', 'min_class_recall', 'brier', 'ece',
      'recall_NORMAL', 'recall_PNEUMONIA', 'precision_NORMAL', 'precision_PNEUMONIA',
      'f1_NORMAL', 'f1_PNEUMONIA', 'specificity_NORMAL', 'specificity_PNEUMONIA',
    ]);
  });

  it('resolves names and rejects unknown ones listing the known', () => {
    expect(parseTargetName('recall', CLASSES)).toEqual({ kind: 'every_class', metric: 'recall' });
    expect(parseTargetName('recall_NORMAL', CLASSES)).toEqual({ kind: 'class', metric: 'recall', className: 'NORMAL' });
    expect(() => parseTargetName('recal', CLASSES)).toThrow(TargetError);
    expect(() => parseTargetName('recall_normal', CLASSES)).toThrow(
      'unknown target "recall_normal"; known targets: accuracy, balanced_accuracy, auc, pr_auc, recall,',
    );
  });
});

describe('judgeTargets', () => {
  const metrics = {
    test_accuracy: 0.9,
    test_auc: 0.95,
    test_recall_NORMAL: 0.7,
    test_recall_PNEUMONIA: 0.98,
    test_precision_NORMAL: 0.96,
    test_precision_PNEUMONIA: 0.85,
    test_balanced_accuracy: NaN,
  };

  it('passes when every target passes, with signed margins', () => {
    const v = judgeTargets({ accuracy: '>= 0.85', recall: '>= 65%' }, metrics, CLASSES);
    expect(v.pass).toBe(true);
    expect(v.results[0]).toMatchObject({ name: 'accuracy', metric: 'test_accuracy', op: '>=', threshold: 0.85, value: 0.9, pass: true, className: null });
    expect(v.results[0].margin).toBeCloseTo(0.05, 12);
    expect(v.results[1]).toMatchObject({ name: 'recall', metric: 'test_recall_NORMAL', className: 'NORMAL', everyClass: true, value: 0.7, pass: true });
    expect(v.results[1].margin).toBeCloseTo(0.05, 12);
  });

  it('judges an every-class target on the worst class', () => {
    const v = judgeTargets({ recall: '>= 0.75' }, metrics, CLASSES);
    expect(v.pass).toBe(false);
    expect(v.results[0]).toMatchObject({ className: 'NORMAL', value: 0.7, pass: false });
    expect(v.results[0].margin).toBeCloseTo(-0.05, 12);
  });

  it('takes the largest value as worst for an upper bound, and signs the margin for it', () => {
    const v = judgeTargets({ precision: '<= 0.9' }, metrics, CLASSES);
    expect(v.results[0]).toMatchObject({ className: 'NORMAL', value: 0.96, pass: false });
    expect(v.results[0].margin).toBeCloseTo(-0.06, 12);
    const ok = judgeTargets({ recall_NORMAL: '< 0.8' }, metrics, CLASSES);
    expect(ok.results[0]).toMatchObject({ metric: 'test_recall_NORMAL', className: 'NORMAL', everyClass: false, pass: true });
    expect(ok.results[0].margin).toBeCloseTo(0.1, 12);
  });

  it('treats strict comparisons strictly', () => {
    expect(judgeTargets({ accuracy: '> 0.9' }, metrics, CLASSES).pass).toBe(false);
    expect(judgeTargets({ accuracy: '>= 0.9' }, metrics, CLASSES).pass).toBe(true);
  });

  it('fails NaN and missing metrics, and any class with a missing value', () => {
    const v = judgeTargets({ balanced_accuracy: '>= 0', pr_auc: '>= 0', f1: '>= 0' }, metrics, CLASSES);
    expect(v.pass).toBe(false);
    expect(v.results.map((r) => r.pass)).toEqual([false, false, false]);
    expect(v.results[1].value).toBeNaN();
    expect(v.results[1].margin).toBeNaN();
  });

  it('fails only the failing target and reads another prefix', () => {
    const v = judgeTargets({ accuracy: '>= 0.85', auc: '>= 0.99' }, { val_accuracy: 0.9, val_auc: 0.95 }, CLASSES, 'val_');
    expect(v.pass).toBe(false);
    expect(v.results.map((r) => r.pass)).toEqual([true, false]);
  });

  it('throws TargetError for a bad expression or name', () => {
    expect(() => judgeTargets({ accuracy: 'high' }, metrics, CLASSES)).toThrow(TargetError);
    expect(() => judgeTargets({ loss: '< 0.1' }, metrics, CLASSES)).toThrow('unknown target "loss"');
  });
});

describe('judgeTargets with confidence', () => {
  const metrics = { test_accuracy: 0.864, test_accuracy_ci_low: 0.835, test_accuracy_ci_high: 0.889, test_auc: 0.95, test_auc_ci_low: 0.93, test_auc_ci_high: 0.97, test_pr_auc: 0.9 };
  it('passes a target only when the whole interval clears it, and names those within the noise', () => {
    const v = judgeTargets({ accuracy: '>= 0.85', auc: '>= 0.9', pr_auc: '>= 0.5' }, metrics, ['A', 'B'], 'test_', true);
    expect(v.results.map((r) => [r.name, r.pass, r.withinNoise])).toEqual([
      ['accuracy', false, true],
      ['auc', true, false],
      // no interval logged: it cannot pass with confidence
      ['pr_auc', false, true],
    ]);
    expect(judgeTargets({ accuracy: '>= 0.85' }, metrics, ['A', 'B']).pass).toBe(true);
    expect(judgeTargets({ accuracy: '<= 0.88' }, metrics, ['A', 'B'], 'test_', true).results[0]!.pass).toBe(false);
  });
});
