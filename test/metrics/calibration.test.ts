/** Calibration: Brier and ECE against hand-computed values, temperature scaling on overconfident and underconfident sets. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import {
  applyTemperature,
  brierScore,
  evaluate,
  expectedCalibrationError,
  fitTemperature,
  flatMetrics,
  formatReport,
  negativeLogLikelihood,
  normalizeProbabilities,
  reliabilityBins,
} from '../../src/metrics/index.js';
import { metrics } from '../../src/registry/metrics/index.js';
import { THREE } from './fixtures.js';

const binary = (p: number[]) => normalizeProbabilities(p, p.length, 2);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('Brier score', () => {
  it('binary: the mean squared error of p(positive)', () => {
    // (0.9-1)^2 + (0.2-0)^2 + (0.6-0)^2 + (0.4-1)^2 = 0.01 + 0.04 + 0.36 + 0.36 = 0.77, over 4
    expect(brierScore(binary([0.9, 0.2, 0.6, 0.4]), [1, 0, 0, 1])).toBeCloseTo(0.1925, 12);
  });

  it('more classes: squared errors summed over the classes, averaged over images', () => {
    // [0.7,0.2,0.1] vs class 0: 0.09+0.04+0.01 = 0.14; [0.1,0.3,0.6] vs class 1: 0.01+0.49+0.36 = 0.86
    const rows = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]];
    expect(brierScore(normalizeProbabilities(rows, 2, 3), [0, 1])).toBeCloseTo(0.5, 12);
  });
});

describe('expected calibration error', () => {
  // Top-class confidence and right or wrong: 0.95 right, 0.85 right, 0.75 (p = 0.25 -> class 0) wrong, 0.62 wrong.
  const probs = binary([0.95, 0.85, 0.25, 0.62]);
  const labels = [1, 1, 1, 0];

  it('bins the top-class probability into 10 equal-width bins', () => {
    const bins = reliabilityBins(probs, labels);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(bins[7]).toMatchObject({ low: 0.7, high: 0.8, count: 1, accuracy: 0 });
    expect(bins[7]!.confidence).toBeCloseTo(0.75, 12);
  });

  it('weights each bin |accuracy - confidence| by its share of images', () => {
    // (|1-0.95| + |1-0.85| + |0-0.75| + |0-0.62|) / 4 = (0.05 + 0.15 + 0.75 + 0.62) / 4
    expect(expectedCalibrationError(probs, labels)).toBeCloseTo(0.3925, 12);
  });

  it('is 0 for a model whose confidence matches its accuracy in every bin', () => {
    // Four images at 0.75 of which three are right.
    expect(expectedCalibrationError(binary([0.75, 0.75, 0.75, 0.75]), [1, 1, 1, 0])).toBeCloseTo(0, 12);
  });
});

describe('as evaluated, logged and reported', () => {
  it('evaluate() and flatMetrics give test_brier and test_ece; the report prints them', () => {
    const e = evaluate({ probabilities: [0.95, 0.85, 0.25, 0.62], labels: [1, 1, 1, 0], classes: ['A', 'B'] });
    expect(flatMetrics(e)).toMatchObject({ test_brier: expect.closeTo((0.0025 + 0.0225 + 0.5625 + 0.3844) / 4, 12), test_ece: expect.closeTo(0.3925, 12) });
    const text = formatReport(e);
    expect(text).toContain('Brier score         0.2430');
    expect(text).toContain('ECE (10 bins)       0.3925');
    expect(formatReport(evaluate(THREE))).toContain('Brier (multi-class)');
  });

  it('are registered metrics where lower is better, with bootstrap intervals, usable as targets', () => {
    for (const name of ['brier', 'ece']) expect(metrics.get(name)).toMatchObject({ direction: 'lower', ci: 'bootstrap', perClass: false, uses: ['target'] });
  });
});

/** n images whose true log-odds are z; the model reports `scale * z` (overconfident for scale > 1). */
function miscalibrated(n: number, scale: number, seed: number): { outputs: Float32Array; labels: Int32Array } {
  const random = mulberry32(seed);
  const outputs = new Float32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = (random() - 0.5) * 6;
    labels[i] = random() < sigmoid(z) ? 1 : 0;
    outputs[i] = sigmoid(scale * z);
  }
  return { outputs, labels };
}

describe('temperature scaling', () => {
  it('rescales logits: sigmoid(z) at T = 2 becomes sigmoid(z / 2); softmax rows likewise', () => {
    expect(applyTemperature([sigmoid(2), sigmoid(-3)], 1, 2)[0]).toBeCloseTo(sigmoid(1), 6);
    expect(applyTemperature([sigmoid(2), sigmoid(-3)], 1, 2)[1]).toBeCloseTo(sigmoid(-1.5), 6);
    const softmax = (z: number[]): number[] => z.map((v) => Math.exp(v) / z.reduce((a, w) => a + Math.exp(w), 0));
    const scaled = applyTemperature(softmax([2, 1, 0]), 3, 2);
    softmax([1, 0.5, 0]).forEach((p, k) => expect(scaled[k]).toBeCloseTo(p, 6));
    expect(Array.from(applyTemperature([0.3, 0.8], 1, 1)).map((p) => Number(p.toFixed(6)))).toEqual([0.3, 0.8]);
  });

  it('softens an overconfident model (T near its overconfidence) and lowers the NLL', () => {
    const { outputs, labels } = miscalibrated(2000, 3, 1);
    const fit = fitTemperature(outputs, labels, 1);
    expect(fit.temperature).toBeGreaterThan(2.5);
    expect(fit.temperature).toBeLessThan(3.6);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore - 0.05);
    expect(fit.nllAfter).toBeCloseTo(negativeLogLikelihood(applyTemperature(outputs, 1, fit.temperature), labels, 1), 9);
    const ece = (o: Float32Array): number => expectedCalibrationError(binary(Array.from(o)), labels);
    expect(ece(applyTemperature(outputs, 1, fit.temperature))).toBeLessThan(ece(outputs) / 2);
  });

  it('sharpens an underconfident one (T < 1)', () => {
    const { outputs, labels } = miscalibrated(2000, 0.4, 2);
    const fit = fitTemperature(outputs, labels, 1);
    expect(fit.temperature).toBeGreaterThan(0.3);
    expect(fit.temperature).toBeLessThan(0.5);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
  });

  it('fits softmax outputs of three classes', () => {
    const random = mulberry32(3);
    const n = 1500;
    const outputs = new Float32Array(n * 3);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const z = [0, 1, 2].map(() => (random() - 0.5) * 4);
      const e = z.map(Math.exp);
      const sum = e.reduce((a, b) => a + b, 0);
      const u = random();
      labels[i] = u < e[0]! / sum ? 0 : u < (e[0]! + e[1]!) / sum ? 1 : 2;
      const sharp = z.map((v) => Math.exp(2.5 * v));
      const s = sharp.reduce((a, b) => a + b, 0);
      sharp.forEach((v, k) => (outputs[i * 3 + k] = v / s));
    }
    const fit = fitTemperature(outputs, labels, 3);
    expect(fit.temperature).toBeGreaterThan(2);
    expect(fit.temperature).toBeLessThan(3.1);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
  });

  it('keeps T = 1 on a validation set of one class, and on one it separates perfectly, saying so', () => {
    expect(fitTemperature([0.9, 0.8, 0.7], [1, 1, 1], 1)).toMatchObject({ temperature: 1, atBound: false });
    // Perfectly separated: the NLL only falls as T goes to 0, towards probabilities of 0 and 1.
    expect(fitTemperature([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0], 1)).toMatchObject({ temperature: 1, atBound: true });
    expect(fitTemperature(miscalibrated(500, 2, 4).outputs, miscalibrated(500, 2, 4).labels, 1).atBound).toBe(false);
  });

  it('keeps T = 1 when nothing is gained', () => {
    // Already calibrated on this set: 0.75 of the 0.75s are right, 0.25 of the 0.25s.
    const fit = fitTemperature([0.75, 0.75, 0.75, 0.75, 0.25, 0.25, 0.25, 0.25], [1, 1, 1, 0, 0, 0, 0, 1], 1);
    expect(fit.temperature).toBeCloseTo(1, 3);
    expect(fit.nllAfter).toBeLessThanOrEqual(fit.nllBefore);
  });
});
