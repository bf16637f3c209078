import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { cosineAnneal, type ScheduleComponent } from './schedule.js';

export const cosine: ScheduleComponent = component({
  name: 'cosine',
  summary: 'linear warmup, then half a cosine from the learning rate down to min_lr at the last step (timm/SGDR without restarts)',
  params: Params({
    warmup_epochs: Type.Number({ minimum: 0, default: 0, description: 'epochs of linear warmup from lr/warmup_steps up to lr' }),
    min_lr: Type.Number({ minimum: 0, default: 0, description: 'the learning rate at the last step' }),
  }),
  create: (p, ctx) => {
    const total = ctx.epochs * ctx.stepsPerEpoch;
    const warmup = Math.min(total, Math.round(p.warmup_epochs * ctx.stepsPerEpoch));
    return (s) => {
      // Warmup starts at lr/warmup, not 0: the first step trains.
      if (s < warmup) return (ctx.lr * (s + 1)) / warmup;
      const span = total - 1 - warmup;
      return span <= 0 ? ctx.lr : cosineAnneal(ctx.lr, p.min_lr, Math.min(1, (s - warmup) / span));
    };
  },
});
