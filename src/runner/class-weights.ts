import type { Experiment } from '../config/schema.js';
import { classWeights } from '../registry/index.js';

/** One weight per class, from the named strategy and the training counts, or the explicit map. */
export function resolveClassWeights(setting: Experiment['class_weight'], classes: string[], counts: number[]): number[] {
  if (typeof setting === 'string') return classWeights.get(setting).create({}, { classes, counts });
  return classes.map((c) => (setting as Record<string, number>)[c] ?? 1);
}
