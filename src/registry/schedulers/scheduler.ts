import type { Component } from '../component.js';
import { EPOCH_METRICS, type EpochMetric } from '../callbacks/callback.js';
import { metrics } from '../metrics/index.js';
import { StringEnum } from '../params.js';

/**
 * What a scheduler remembers of one sweep: each trial's value at each decision point. Kept in
 * memory by a local `exp run`, in Redis by queue workers, so every worker decides on the same view.
 */
export interface RungStore {
  /** Records `trial`'s `value` at `point` and returns the values the other trials recorded there. */
  record(point: string, trial: string, value: number): Promise<number[]>;
}

/** Stops weak trials of a sweep early: asked after each epoch, answers a reason to stop or undefined. */
export interface Scheduler {
  review(trial: string, logs: { epoch: number } & Record<EpochMetric, number>, epochs: number): Promise<string | undefined>;
}

export type SchedulerComponent = Component<RungStore, Scheduler>;

export const schedulerParams = {
  metric: StringEnum(EPOCH_METRICS, { default: 'val_loss', description: 'the per-epoch metric trials are compared on' }),
  mode: StringEnum(['auto', 'min', 'max'] as const, { default: 'auto', description: "auto: the metric's registered direction (a loss is minimized)" }),
};

/** +1 when higher is better, -1 when lower is: from `mode`, else the metric registry. */
export function direction(metric: EpochMetric, mode: 'auto' | 'min' | 'max'): 1 | -1 {
  if (mode !== 'auto') return mode === 'max' ? 1 : -1;
  return metrics.get(metric.replace(/^(train|val)_/, '')).direction === 'lower' ? -1 : 1;
}

/** numpy's default percentile (linear interpolation between the closest ranks), q in [0, 100]. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q / 100) * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (at - low) * (sorted[high]! - sorted[low]!);
}

/** A RungStore in this process's memory: the local `exp run` of one sweep. */
export class MemoryRungs implements RungStore {
  readonly #points = new Map<string, Map<string, number>>();

  async record(point: string, trial: string, value: number): Promise<number[]> {
    const values = this.#points.get(point) ?? new Map<string, number>();
    this.#points.set(point, values);
    values.set(trial, value);
    return [...values].filter(([t]) => t !== trial).map(([, v]) => v);
  }
}
