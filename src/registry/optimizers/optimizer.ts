import { Type } from '@sinclair/typebox';
import type { Component } from '../component.js';

/** Engine-neutral optimizer settings; each engine implements the update with these semantics (tfjs's). */
export type OptimizerSpec =
  | { name: 'adam'; lr: number; beta1: number; beta2: number; epsilon: number }
  | { name: 'sgd'; lr: number; momentum: number; nesterov: boolean }
  | { name: 'rmsprop'; lr: number; rho: number; momentum: number; epsilon: number };

export type OptimizerComponent = Component<void, OptimizerSpec>;

export const lrParam = (fallback: number) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 10, default: fallback, description: 'learning rate' });
