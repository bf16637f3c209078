import { classProbability, headOfUnits } from '../model/head.js';
import { argmax } from './predict.js';
import type { NormalizedProbabilities } from './probabilities.js';

/** What `evaluate.calibrate` may ask for: nothing, or one temperature fitted on validation. */
export const CALIBRATIONS = ['none', 'temperature'] as const;
export type Calibration = (typeof CALIBRATIONS)[number];

/**
 * The engines hand out squashed outputs (sigmoid, softmax) in float32, where a sigmoid is
 * exactly 1 beyond a logit of ~17: probabilities are clamped this far from 0 and 1 before the
 * logit is recovered, so it stays finite (|logit| <= 16.1).
 */
const EPS = 1e-7;
const clamp = (p: number): number => Math.min(1 - EPS, Math.max(EPS, p));

/**
 * Model outputs [n, units] with a temperature applied: sigmoid(logit(p) / T) for one sigmoid
 * unit, softmax(log p / T) for softmax rows (log p is the logit up to a per-row constant, which
 * softmax ignores). The one place exp rescales probabilities: evaluation and `exp predict`.
 */
export function applyTemperature(outputs: ArrayLike<number>, units: number, temperature: number): Float32Array {
  const out = new Float32Array(outputs.length);
  if (headOfUnits(units).activation === 'sigmoid') {
    for (let i = 0; i < outputs.length; i++) {
      const p = clamp(outputs[i]!);
      out[i] = 1 / (1 + Math.exp(-Math.log(p / (1 - p)) / temperature));
    }
    return out;
  }
  for (let start = 0; start < outputs.length; start += units) {
    const z = Array.from({ length: units }, (_, k) => Math.log(clamp(outputs[start + k]!)) / temperature);
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (out[start + k] = v / sum));
  }
  return out;
}

/** Mean negative log-likelihood of the true classes (cross-entropy) of outputs [n, units]. */
export function negativeLogLikelihood(outputs: ArrayLike<number>, labels: ArrayLike<number>, units: number): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = Array.from({ length: units }, (_, k) => outputs[i * units + k]!);
    sum -= Math.log(clamp(classProbability(row, labels[i]!)));
  }
  return sum / labels.length;
}

export interface TemperatureFit {
  temperature: number;
  /** validation NLL at T = 1 and at the fitted T */
  nllBefore: number;
  nllAfter: number;
  /** the NLL kept falling to an end of the search range: validation (separated perfectly, or tiny) cannot pin T down, so T = 1 is kept */
  atBound: boolean;
}

/** Search range of log T: T in [0.05, 20] covers sharpening and softening far beyond what a trained net needs. */
const LOG_T = [Math.log(0.05), Math.log(20)] as const;

/**
 * Temperature scaling (Guo et al. 2017): the one T minimising the NLL of `outputs` (the
 * validation set's; never test). The NLL is convex in 1/T, so unimodal in log T: a
 * golden-section search on log T to 1e-6 finds it in ~40 evaluations. T = 1 is kept when the
 * search does no better (a model already calibrated), when validation holds one class, and
 * when the NLL keeps falling to an end of the range (a validation set the model separates
 * perfectly would otherwise make every test probability 0 or 1).
 */
export function fitTemperature(outputs: ArrayLike<number>, labels: ArrayLike<number>, units: number): TemperatureFit {
  if (labels.length === 0) throw new Error('cannot fit a temperature on an empty validation set');
  const nllBefore = negativeLogLikelihood(outputs, labels, units);
  const unfitted = { temperature: 1, nllBefore, nllAfter: nllBefore, atBound: false };
  if (new Set(Array.from(labels)).size < 2) return unfitted;
  const nll = (logT: number): number => negativeLogLikelihood(applyTemperature(outputs, units, Math.exp(logT)), labels, units);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [a, b] = LOG_T;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = nll(c);
  let fd = nll(d);
  while (b - a > 1e-6) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - ratio * (b - a);
      fc = nll(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + ratio * (b - a);
      fd = nll(d);
    }
  }
  const logT = (a + b) / 2;
  const nllAfter = nll(logT);
  // An end of the range as good as the optimum: the NLL keeps falling (or is flat, saturated) towards it.
  const atBound = LOG_T.some((end) => nll(end) <= nllAfter + 1e-9);
  if (atBound) return { ...unfitted, atBound };
  return nllAfter < nllBefore ? { temperature: Math.exp(logT), nllBefore, nllAfter, atBound } : unfitted;
}

/** The predicted class and its probability (the top-class confidence) of each image; binary at 0.5, as top-class calibration asks. */
function topClass(probs: NormalizedProbabilities): { predicted: number; confidence: number }[] {
  if (probs.kind === 'binary') return Array.from(probs.positive, (p) => (p >= 0.5 ? { predicted: 1, confidence: p } : { predicted: 0, confidence: 1 - p }));
  return probs.rows.map((row) => {
    const predicted = argmax(row);
    return { predicted, confidence: row[predicted]! };
  });
}

export interface ReliabilityBin {
  low: number;
  high: number;
  count: number;
  /** mean top-class probability of the bin's images (NaN when empty) */
  confidence: number;
  /** share of them whose top class is right (NaN when empty) */
  accuracy: number;
}

/** Equal-width bins of [0, 1] over the top-class confidence; a bin holds (low, high], the first [0, high]. */
export const CALIBRATION_BINS = 10;

/** The reliability diagram's bins: a calibrated model's accuracy equals its confidence in each. */
export function reliabilityBins(probs: NormalizedProbabilities, labels: ArrayLike<number>, bins = CALIBRATION_BINS): ReliabilityBin[] {
  const sums = Array.from({ length: bins }, () => ({ count: 0, confidence: 0, correct: 0 }));
  topClass(probs).forEach(({ predicted, confidence }, i) => {
    const bin = sums[Math.max(0, Math.ceil(confidence * bins) - 1)]!;
    bin.count++;
    bin.confidence += confidence;
    if (predicted === labels[i]) bin.correct++;
  });
  return sums.map((s, b) => ({ low: b / bins, high: (b + 1) / bins, count: s.count, confidence: s.confidence / s.count, accuracy: s.correct / s.count }));
}

/** Expected calibration error: the bins' |accuracy - confidence| weighted by their share of images. */
export function expectedCalibrationError(probs: NormalizedProbabilities, labels: ArrayLike<number>, bins = CALIBRATION_BINS): number {
  return reliabilityBins(probs, labels, bins).reduce((acc, b) => (b.count ? acc + (b.count / labels.length) * Math.abs(b.accuracy - b.confidence) : acc), 0);
}

/**
 * Brier score: binary, the mean squared error of p(positive); more classes, the multi-class
 * Brier (the squared error summed over the classes, averaged over images: in [0, 2]).
 */
export function brierScore(probs: NormalizedProbabilities, labels: ArrayLike<number>): number {
  if (probs.kind === 'binary') return probs.positive.reduce((acc, p, i) => acc + (p - (labels[i] === 1 ? 1 : 0)) ** 2, 0) / labels.length;
  return probs.rows.reduce((acc, row, i) => acc + row.reduce((s, p, k) => s + (p - (labels[i] === k ? 1 : 0)) ** 2, 0), 0) / labels.length;
}

export interface CalibrationMetrics {
  /** see brierScore */
  brier: number;
  /** see expectedCalibrationError */
  ece: number;
}

export function calibrationMetrics(probs: NormalizedProbabilities, labels: ArrayLike<number>): CalibrationMetrics {
  return { brier: brierScore(probs, labels), ece: expectedCalibrationError(probs, labels) };
}
