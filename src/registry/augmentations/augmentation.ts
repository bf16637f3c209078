import { Type } from '@sinclair/typebox';
import type { Component } from '../component.js';

/** One image, NHWC without the batch axis, values in [0, 1]. */
export interface Image {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * An inverse affine map about the image centre, [a, b, c, d, tx, ty]: output pixel (x, y) reads
 * the input at (a*x' + b*y' + tx, c*x' + d*y' + ty), centred (x' = x - cx), plus the centre.
 */
export type Affine = [number, number, number, number, number, number];

/**
 * One augmentation, drawing its random choices from `random` (seeded by the runner). A pixel
 * augmentation changes the image in place; a geometric one only draws its map (undefined when
 * it does not apply this time), so that a run of them resamples the image once, not once each.
 */
export type Augment =
  | { kind: 'pixel'; apply(image: Image, random: () => number): void }
  | { kind: 'geometric'; draw(image: Image, random: () => number): Affine | undefined };

export type AugmentationComponent = Component<void, Augment>;

export const probabilityParam = () =>
  Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'probability of applying it to an image' });

/** Uniform in [-limit, limit]. */
export const symmetric = (random: () => number, limit: number) => (random() * 2 - 1) * limit;

export const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
