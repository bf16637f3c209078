import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoss } from '../../src/registry/index.js';
import type { RunOutcome } from '../../src/runner/run-experiment.js';
import { meanCrossEntropy } from '../../src/train/targets.js';
import { copySlice, experiment, picks, run, temp, tinyConfig, type Temp } from './fixtures.js';

let t: Temp;
let data: string;
const outcomes = new Map<string, RunOutcome>();

beforeAll(() => {
  t = temp();
  data = join(t.root, 'data');
  // Three classes of real X-rays (the third is more NORMAL images, under another name).
  copySlice(data, {
    train: { ALPHA: picks('train', 'NORMAL', 10), BETA: picks('train', 'PNEUMONIA', 10), GAMMA: picks('train', 'NORMAL', 8, 40) },
    val: { ALPHA: picks('val', 'NORMAL', 2), BETA: picks('val', 'PNEUMONIA', 3), GAMMA: picks('val', 'NORMAL', 2, 4) },
    test: { ALPHA: picks('test', 'NORMAL', 4), BETA: picks('test', 'PNEUMONIA', 5), GAMMA: picks('test', 'NORMAL', 6, 10) },
  });
});
afterAll(() => t.cleanup());

describe('three classes end to end', () => {
  for (const engine of ['tfjs', 'onnx'] as const) {
    describe(engine, () => {
      let outcome: RunOutcome;
      beforeAll(async () => {
        const dir = join(t.root, engine);
        mkdirSync(dir);
        const config = tinyConfig(data, {
          class_weight: 'balanced',
          // asks for a threshold: with three classes there is none to choose (argmax)
          evaluate: { threshold: { choose_on: 'validation', maximize: 'accuracy', min_class_recall: 0 } },
          targets: { accuracy: '>= 0.0', recall: '>= 0.0' },
          train: { epochs: 2, batch_size: 8, engine, optimizer: { name: 'adam', lr: 0.001 } },
        });
        outcome = await run(experiment(dir, config));
        outcomes.set(engine, outcome);
      }, 60_000);

      it('gets a softmax head of three units and the categorical loss', () => {
        expect(outcome.engine.name).toBe(engine);
        expect(outcome.dataset.classes).toEqual(['ALPHA', 'BETA', 'GAMMA']);
        expect(outcome.model.nodes.at(-1)?.layer).toEqual({ type: 'dense', units: 3, activation: 'softmax', useBias: true });
        expect(defaultLoss(3)).toBe('categorical_crossentropy');
        // Categorical cross-entropy of a near-uniform softmax is about ln 3; binary cross-entropy
        // averaged over three units would be near 0.64.
        expect(outcome.fit.history[0]!.train_loss).toBeGreaterThan(Math.log(3) - 0.2);
        expect(outcome.fit.history[0]!.train_loss).toBeLessThan(Math.log(3) + 0.3);
        expect(outcome.fit.history).toHaveLength(2);
      });

      it('balanced class weights for three classes', () => {
        expect(outcome.classWeights.map((w) => +w.toFixed(10))).toEqual([28 / 30, 28 / 30, 28 / 24].map((w) => +w.toFixed(10)));
      });

      it('evaluates by argmax, with no threshold, and per-class metrics for all three', () => {
        const e = outcome.evaluation;
        expect(outcome.threshold.value).toBeNull();
        expect(e.threshold).toBeNull();
        expect(e.confusion).toHaveLength(3);
        for (const row of e.confusion) expect(row).toHaveLength(3);
        expect(e.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([4, 5, 6]);
        expect(e.perClass.map((c) => c.support)).toEqual([4, 5, 6]);
        const trace = e.confusion[0]![0]! + e.confusion[1]![1]! + e.confusion[2]![2]!;
        expect(e.accuracy).toBeCloseTo(trace / 15, 12);
        for (const [k, name] of ['ALPHA', 'BETA', 'GAMMA'].entries()) {
          const col = e.confusion.reduce((a, row) => a + row[k]!, 0);
          expect(outcome.metrics[`test_recall_${name}`]).toBeCloseTo(e.confusion[k]![k]! / e.perClass[k]!.support, 12);
          expect(outcome.metrics[`test_precision_${name}`]).toBeCloseTo(col ? e.confusion[k]![k]! / col : 0, 12);
          expect(outcome.metrics[`test_support_${name}`]).toBe(e.perClass[k]!.support);
        }
        expect(outcome.verdict).toBeDefined();
      });

      it('the logged val loss is categorical cross-entropy on the validation images', () => {
        const val = outcome.dataset.val;
        expect(val.count).toBe(7);
        // A model that knew nothing would sit at ln 3; one epoch of tiny steps stays near it.
        expect(outcome.fit.history[1]!.val_loss).toBeGreaterThan(0.5);
        expect(outcome.fit.history[1]!.val_loss).toBeLessThan(2);
        expect(meanCrossEntropy(Float32Array.of(1 / 3, 1 / 3, 1 / 3), [2], 3)).toBeCloseTo(Math.log(3), 6);
      });
    });
  }

  it('both engines, from the same seed on the same data, end with nearly the same weights and curves', () => {
    const [a, b] = [outcomes.get('tfjs')!, outcomes.get('onnx')!];
    let worst = 0;
    a.weights.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b.weights[i]![j]!)))));
    expect(worst).toBeLessThan(1e-5);
    for (const key of ['train_loss', 'val_loss', 'val_accuracy'] as const) {
      expect(b.fit.history.map((h) => h[key]), key).toEqual(a.fit.history.map((h) => expect.closeTo(h[key], 4)));
    }
  });
});
