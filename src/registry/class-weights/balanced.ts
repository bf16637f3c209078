import { component } from '../component.js';
import { Params } from '../params.js';
import type { ClassCounts, ClassWeightComponent } from './strategy.js';

/** scikit-learn's 'balanced': n_samples / (n_classes * n_class). */
export function balancedWeights({ counts }: ClassCounts): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((n) => total / (counts.length * n));
}

export const balanced: ClassWeightComponent = component({
  name: 'balanced',
  summary: 'n_samples / (n_classes * n_class), as scikit-learn computes it',
  params: Params({}),
  create: (_p, counts) => balancedWeights(counts),
});

export const sqrtBalanced: ClassWeightComponent = component({
  name: 'sqrt_balanced',
  summary: "square root of 'balanced': a milder correction for strong imbalance",
  params: Params({}),
  create: (_p, counts) => balancedWeights(counts).map(Math.sqrt),
});
