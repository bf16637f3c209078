import { argmax } from '../metrics/predict.js';
import type { DenseSpec } from './spec.js';

/**
 * The classification head: the one rule every part of exp follows. Two classes are one sigmoid
 * unit giving p(second class), the positive one, trained with binary cross-entropy on 0/1
 * targets; more are a softmax over the classes with categorical cross-entropy on one-hot rows.
 * Everything that encodes labels, reads outputs or decides a class asks this module.
 */
export interface Head {
  /** The class count K (2 for the one-unit sigmoid head). */
  classes: number;
  units: number;
  activation: 'sigmoid' | 'softmax';
  loss: 'binary_crossentropy' | 'categorical_crossentropy';
  /** Index of the positive class (with two classes, the second); null with more. */
  positive: number | null;
  /** The output layer exp appends. */
  layer: DenseSpec;
}

export function headFor(classes: number): Head {
  const binary = classes === 2;
  const units = binary ? 1 : classes;
  const activation = binary ? 'sigmoid' : 'softmax';
  return { classes, units, activation, loss: binary ? 'binary_crossentropy' : 'categorical_crossentropy', positive: binary ? 1 : null, layer: { type: 'dense', units, activation, useBias: true } };
}

/** The head whose outputs are `units` values per image: one unit is the two-class sigmoid head. */
export const headOfUnits = (units: number): Head => headFor(units === 1 ? 2 : units);

/** Whether a dense layer with this activation is an output layer (of some head) rather than a hidden one. */
export const isHeadActivation = (activation: unknown): boolean => activation === 'sigmoid' || activation === 'softmax';

/** Labels as the targets of a head of `units` outputs, [n, units]: 0/1 for one sigmoid unit, one-hot rows for softmax. */
export function encodeLabels(labels: ArrayLike<number>, units: number): Float32Array {
  const out = new Float32Array(labels.length * units);
  for (let i = 0; i < labels.length; i++) {
    if (units === 1) out[i] = labels[i]!;
    else out[i * units + labels[i]!] = 1;
  }
  return out;
}

/** The probability one output row gives class k: p or 1 - p from one sigmoid unit, else the row's entry. */
export function classProbability(row: ArrayLike<number>, k: number): number {
  if (row.length !== 1) return row[k]!;
  return k === headOfUnits(1).positive ? row[0]! : 1 - row[0]!;
}

/** Every class's probability from one output row, in class order. */
export const classProbabilities = (row: ArrayLike<number>): number[] => Array.from({ length: headOfUnits(row.length).classes }, (_, k) => classProbability(row, k));

/**
 * The class exp decides from one output row: with one sigmoid unit, the positive class when
 * p(positive) >= threshold (0.5 without one); with softmax rows, the most probable class (a
 * single cut-off cannot trade between more than two classes).
 */
export function decideClass(row: ArrayLike<number>, threshold: number | null = null): number {
  if (row.length !== 1) return argmax(row);
  const positive = headOfUnits(1).positive!;
  return row[0]! >= (threshold ?? 0.5) ? positive : 1 - positive;
}
