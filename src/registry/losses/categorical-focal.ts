import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { focalGammaParam, labelSmoothingParam, type LossComponent } from './loss.js';

export const categoricalFocal: LossComponent = {
  head: 'softmax',
  ...component({
    name: 'categorical_focal',
    summary: 'any number of classes: focal loss over the softmax (Lin et al.; Keras CategoricalFocalCrossentropy), -sum_k t_k (1 - p_k)^gamma log p_k',
    params: Params({
      gamma: focalGammaParam(),
      alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'scales the whole loss (Keras defaults it to 0.25); unset: 1' })),
      label_smoothing: labelSmoothingParam(),
    }),
    create: (p) => ({ name: 'categorical_focal' as const, ...p }),
  }),
};
