import { StringEnum } from '../params.js';
import { ACTIVATIONS, type LayerSpec } from '../../model/spec.js';
import type { Component } from '../component.js';

/** Layers build an engine-neutral spec; each engine lowers specs to its own ops. */
export type LayerComponent = Component<void, LayerSpec>;

export const activationParam = (fallback: (typeof ACTIVATIONS)[number]) =>
  StringEnum(ACTIVATIONS, { default: fallback, description: 'activation applied to the output' });

export const paddingParam = () =>
  StringEnum(['valid', 'same'] as const, { default: 'valid', description: "'same' keeps the size (TensorFlow semantics), 'valid' does not pad" });
