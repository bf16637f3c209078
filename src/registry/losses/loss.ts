import { Type } from '@sinclair/typebox';
import type { LossSpec } from '../../engine/loss.js';
import type { Component } from '../component.js';

export type { LossSpec } from '../../engine/loss.js';

/** Losses declare which heads they fit, so a mismatch is a config error, not a NaN at epoch 3. */
export type LossComponent = Component<void, LossSpec> & { head: 'sigmoid' | 'softmax' };

export const labelSmoothingParam = () =>
  Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0, description: 'targets become t(1 - s) + s/K (Keras): less confident outputs' });
/** The focal losses' focusing exponent (binary and categorical alike). */
export const focalGammaParam = () => Type.Number({ minimum: 0, maximum: 10, default: 2, description: 'focusing: 0 is plain cross-entropy' });
