import type { DenseSpec } from './spec.js';

/**
 * The classification head: the one rule every part of exp follows. Two classes are one sigmoid
 * unit giving p(second class), the positive one, trained with binary cross-entropy on 0/1
 * targets; more are a softmax over the classes with categorical cross-entropy on one-hot rows.
 */
export interface Head {
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
  return { units, activation, loss: binary ? 'binary_crossentropy' : 'categorical_crossentropy', positive: binary ? 1 : null, layer: { type: 'dense', units, activation, useBias: true } };
}
