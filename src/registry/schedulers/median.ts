import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { direction, percentile, schedulerParams, type SchedulerComponent } from './scheduler.js';

/**
 * The median stopping rule (Golovin et al. 2017, Optuna's MedianPruner): after grace_epochs,
 * a trial whose value at an epoch is worse than the median of the other trials' values at
 * that same epoch stops, once at least min_trials others have reached it.
 */
export const median: SchedulerComponent = component({
  name: 'median',
  summary: "stops a trial that is worse than the median of the other trials at the same epoch",
  params: Params({
    ...schedulerParams,
    grace_epochs: Type.Integer({ minimum: 1, default: 1, description: 'epochs every trial trains before its first review' }),
    min_trials: Type.Integer({ minimum: 1, default: 3, description: 'other trials that must have reached the epoch before a decision' }),
  }),
  create: (p, rungs) => {
    const sign = direction(p.metric, p.mode);
    return {
      async review(trial, logs, epochs) {
        if (logs.epoch < p.grace_epochs || logs.epoch >= epochs) return undefined;
        const value = sign * logs[p.metric];
        const others = (await rungs.record(`epoch-${logs.epoch}`, trial, value)).filter((v) => !Number.isNaN(v));
        if (others.length < p.min_trials || Number.isNaN(value)) return undefined;
        const mid = percentile(others, 50);
        return value < mid ? `${p.metric} ${logs[p.metric].toFixed(4)} at epoch ${logs.epoch} is worse than the median ${(sign * mid).toFixed(4)} of ${others.length} other trials` : undefined;
      },
    };
  },
});
