import { headOfUnits } from '../model/head.js';

/**
 * The training loss as both engines take it (registry/losses/ makes it from an experiment).
 * `label_smoothing` s moves each target towards uniform first, as Keras does: t(1 - s) + s/K,
 * with K = 2 for a sigmoid unit (binary) and the class count for softmax.
 */
export type LossSpec =
  | { name: 'binary_crossentropy'; label_smoothing: number }
  | { name: 'categorical_crossentropy'; label_smoothing: number }
  /** Keras's BinaryFocalCrossentropy: (1 - p_t)^gamma * BCE, times alpha for positives and 1 - alpha for negatives when alpha is set. */
  | { name: 'focal'; gamma: number; alpha?: number; label_smoothing: number }
  /** Keras's CategoricalFocalCrossentropy: -sum_k alpha t_k (1 - p_k)^gamma log p_k over the softmax (alpha 1 when unset). */
  | { name: 'categorical_focal'; gamma: number; alpha?: number; label_smoothing: number };

/** The output activation each loss is made for. */
export const lossHead = (loss: LossSpec): 'sigmoid' | 'softmax' => (loss.name === 'categorical_crossentropy' || loss.name === 'categorical_focal' ? 'softmax' : 'sigmoid');

/** The class count label smoothing spreads over: the head's (2 for one sigmoid unit). */
export const smoothingClasses = (units: number): number => headOfUnits(units).classes;
