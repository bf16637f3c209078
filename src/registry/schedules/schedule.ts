import type { Component } from '../component.js';

/** What a schedule is made for: the optimizer's learning rate and the run's length in steps (batches). */
export interface ScheduleContext {
  lr: number;
  stepsPerEpoch: number;
  epochs: number;
}

/**
 * The learning rate of each training step (0-based, counted over the whole run). A pure function
 * of the step, so a resumed run continues it exactly from its step count.
 */
export type Schedule = (step: number) => number;

export type ScheduleComponent = Component<ScheduleContext, Schedule>;

/** Half a cosine from `from` (progress 0) to `to` (progress 1). */
export const cosineAnneal = (from: number, to: number, progress: number): number => to + ((from - to) * (1 + Math.cos(Math.PI * progress))) / 2;
