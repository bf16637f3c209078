import type { Component } from '../component.js';

export interface ClassCounts {
  classes: string[];
  /** Training images per class, in class order. */
  counts: number[];
}

/** A strategy turns the training counts into one weight per class. */
export type ClassWeightComponent = Component<ClassCounts, number[]>;
