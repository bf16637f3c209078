import { Type } from '@sinclair/typebox';
import type { Component } from '../component.js';
import { metrics, epochMetricKeys } from '../metrics/index.js';
import { StringEnum } from '../params.js';

/** What the training loop measures each epoch; callbacks may monitor any of the registry's epoch metrics among them. */
export type EpochMetric = `${'train' | 'val'}_${'loss' | 'accuracy'}`;
export type EpochLogs = { epoch: number; lr: number } & Record<EpochMetric, number>;
export const EPOCH_METRICS = epochMetricKeys() as EpochMetric[];

/** What a callback may do to the training run; the training loop implements it per engine. */
export interface TrainingControl {
  stop(reason: string): void;
  /** Marks this epoch's weights as the ones to keep (the loop holds a copy). */
  keepBest(epoch: number): void;
  /** Restores the weights kept by keepBest, if any. */
  restoreBest(): number | undefined;
  /** The learning rate of the last step. */
  readonly learningRate: number;
  /**
   * Multiplies the learning rate from the next step on. It scales the schedule's output
   * (train.schedule), so a plateau reduction and a schedule combine: lr = schedule(step) * scale.
   */
  scaleLearningRate(factor: number): void;
  log(message: string): void;
}

export interface Callback {
  onEpochEnd(logs: EpochLogs, control: TrainingControl): void;
  onTrainEnd?(control: TrainingControl): void;
  /** What it has counted so far, for checkpoints, and putting that back on resume. */
  state(): number[];
  restore(state: number[]): void;
}

export type CallbackComponent = Component<void, Callback>;

export const monitorParams = {
  monitor: StringEnum(EPOCH_METRICS, { default: 'val_loss', description: 'the per-epoch metric to watch' }),
  min_delta: Type.Number({ minimum: 0, default: 0, description: 'smallest change that counts as an improvement' }),
};

/**
 * Tracks the best value of a monitored metric (in the direction its registry entry gives)
 * and how many epochs have passed since it last improved.
 */
export class Monitor {
  best = NaN;
  wait = 0;
  readonly sign: 1 | -1;

  constructor(
    readonly metric: EpochMetric,
    readonly minDelta: number,
  ) {
    this.sign = metrics.get(metric.replace(/^(train|val)_/, '')).direction === 'lower' ? -1 : 1;
  }

  /** True when `logs` improve on the best so far (and records it); otherwise counts one more epoch waited. */
  improved(logs: EpochLogs): boolean {
    const value = logs[this.metric];
    if (!Number.isNaN(value) && (Number.isNaN(this.best) || this.sign * (value - this.best) > this.minDelta)) {
      this.best = value;
      this.wait = 0;
      return true;
    }
    this.wait++;
    return false;
  }

  /** For checkpoints: the best value and the epochs waited. */
  state(): number[] {
    return [this.best, this.wait];
  }

  restore(state: number[]): void {
    [this.best, this.wait] = [state[0]!, state[1]!];
  }
}
