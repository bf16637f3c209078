import { Type } from '@sinclair/typebox';
import { shuffleInPlace } from '../../data/rng.js';
import type { MixBatch } from './augmentation.js';

export const alphaParam = (fallback: number) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 10, default: fallback, description: 'the mixing share is drawn from Beta(alpha, alpha)' });

/**
 * Mixes each image's target and loss weight with its partner's: lambda of its own, 1 - lambda of
 * the partner's. So class weights apply in the same proportion as the labels they belong to.
 */
export function mixTargets(batch: MixBatch, partner: number[], lambda: number[]): void {
  const { targets: t, weights: w, units } = batch;
  const t0 = t.slice();
  const w0 = w.slice();
  partner.forEach((j, i) => {
    const l = lambda[i]!;
    w[i] = l * w0[i]! + (1 - l) * w0[j]!;
    for (let u = 0; u < units; u++) t[i * units + u] = l * t0[i * units + u]! + (1 - l) * t0[j * units + u]!;
  });
}

/** Each image's partner: the batch in a seeded random order. */
export const partners = (n: number, random: () => number): number[] => shuffleInPlace(Array.from({ length: n }, (_, i) => i), random);
