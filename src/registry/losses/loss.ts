import type { Component } from '../component.js';

export type LossSpec = { name: 'binary_crossentropy' } | { name: 'categorical_crossentropy' };

/** Losses declare which heads they fit, so a mismatch is a config error, not a NaN at epoch 3. */
export type LossComponent = Component<void, LossSpec> & { head: 'sigmoid' | 'softmax' };
