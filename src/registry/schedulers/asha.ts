import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { direction, percentile, schedulerParams, type SchedulerComponent } from './scheduler.js';

/**
 * Asynchronous successive halving (Li et al. 2018, as Ray Tune's ASHAScheduler decides): rungs
 * at grace_epochs * reduction_factor^k epochs; a trial reaching a rung goes on only if its value
 * is in the best 1/reduction_factor of the values other trials recorded there. The first trial
 * at a rung always goes on, so no trial waits for another.
 */
export const asha: SchedulerComponent = component({
  name: 'asha',
  summary: 'asynchronous successive halving: at each rung keep the best 1/reduction_factor of the trials',
  params: Params({
    ...schedulerParams,
    grace_epochs: Type.Integer({ minimum: 1, default: 1, description: 'epochs every trial trains before its first review' }),
    reduction_factor: Type.Number({ exclusiveMinimum: 1, default: 3, description: 'each rung keeps 1/reduction_factor of the trials, and is that many times later' }),
  }),
  create: (p, rungs) => {
    const sign = direction(p.metric, p.mode);
    // Rungs are whole epochs (a factor of 2.5 gives 1, 3, 6, ...); the last epoch is no rung: the trial has finished.
    const isRung = (epoch: number, epochs: number): boolean => {
      for (let k = 0, r = p.grace_epochs; r < epochs; r = Math.round(p.grace_epochs * p.reduction_factor ** ++k)) if (r === epoch) return true;
      return false;
    };
    return {
      async review(trial, logs, epochs) {
        if (!isRung(logs.epoch, epochs)) return undefined;
        const value = sign * logs[p.metric];
        const others = (await rungs.record(`rung-${logs.epoch}`, trial, value)).filter((v) => !Number.isNaN(v));
        if (others.length === 0 || Number.isNaN(value)) return undefined;
        const cutoff = percentile(others, (1 - 1 / p.reduction_factor) * 100);
        return value < cutoff ? `${p.metric} ${logs[p.metric].toFixed(4)} at epoch ${logs.epoch} is outside the best 1/${p.reduction_factor} of the ${others.length} other trial${others.length === 1 ? '' : 's'} at this rung (cutoff ${(sign * cutoff).toFixed(4)})` : undefined;
      },
    };
  },
});
