import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { cosineAnneal, type ScheduleComponent } from './schedule.js';

export const oneCycle: ScheduleComponent = component({
  name: 'one_cycle',
  summary: "Smith's 1cycle (PyTorch OneCycleLR, cosine): up from max_lr/div_factor to max_lr over pct_start of the run, then down to max_lr/(div_factor*final_div_factor)",
  params: Params({
    max_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10, description: "the peak; default: the optimizer's lr" })),
    pct_start: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.3, description: 'share of the steps spent rising' }),
    div_factor: Type.Number({ minimum: 1, default: 25, description: 'the first lr is max_lr / div_factor' }),
    final_div_factor: Type.Number({ minimum: 1, default: 1e4, description: 'the last lr is the first / final_div_factor' }),
  }),
  create: (p, ctx) => {
    const max = p.max_lr ?? ctx.lr;
    const initial = max / p.div_factor;
    const last = initial / p.final_div_factor;
    const total = ctx.epochs * ctx.stepsPerEpoch;
    // PyTorch's phase ends: step pct_start*total - 1 at the peak, total - 1 at the end.
    const peak = p.pct_start * total - 1;
    return (s) => {
      if (s <= peak) return cosineAnneal(initial, max, peak <= 0 ? 1 : s / peak);
      return cosineAnneal(max, last, Math.min(1, (s - peak) / (total - 1 - peak)));
    };
  },
});
