import { Type } from '@sinclair/typebox';
import type { Component } from '../component.js';

/** One image, NHWC without the batch axis, values in [0, 1]. */
export interface Image {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Changes one image in place, drawing its random choices from `random` (seeded by the runner). */
export type Augment = (image: Image, random: () => number) => void;

/** A training batch as the loop builds it: images NHWC, targets [n, units] (0/1 or soft), per-sample loss weights. */
export interface MixBatch {
  x: Float32Array;
  targets: Float32Array;
  weights: Float32Array;
  n: number;
  units: number;
  image: { height: number; width: number; channels: number };
}

/** Changes a whole batch in place (mixup, cutmix): images mixed with each other, and their targets and weights alike. */
export interface BatchAugment {
  mixBatch(batch: MixBatch, random: () => number): void;
}

export type AugmentationComponent = Component<void, Augment | BatchAugment>;

export const isBatchAugment = (a: Augment | BatchAugment): a is BatchAugment => typeof a !== 'function';

export const probabilityParam = () =>
  Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'probability of applying it to an image' });

/** Uniform in [-limit, limit]. */
export const symmetric = (random: () => number, limit: number) => (random() * 2 - 1) * limit;

export const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
