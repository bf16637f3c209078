import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { focalGammaParam, labelSmoothingParam, type LossComponent } from './loss.js';

export const focal: LossComponent = {
  head: 'sigmoid',
  ...component({
    name: 'focal',
    summary: 'two classes: binary focal loss (Lin et al.; Keras BinaryFocalCrossentropy), (1 - p_t)^gamma * BCE: easy images count less',
    params: Params({
      gamma: focalGammaParam(),
      alpha: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'weight of the positive class (1 - alpha for the negative); unset: no class balancing' })),
      label_smoothing: labelSmoothingParam(),
    }),
    create: (p) => ({ name: 'focal' as const, ...p }),
  }),
};
