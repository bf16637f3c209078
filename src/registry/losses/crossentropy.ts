import { component } from '../component.js';
import { Params } from '../params.js';
import { labelSmoothingParam, type LossComponent } from './loss.js';

export const binaryCrossentropy: LossComponent = {
  head: 'sigmoid',
  ...component({
    name: 'binary_crossentropy',
    summary: 'two classes: one sigmoid output, the probability of the second (positive) class',
    params: Params({ label_smoothing: labelSmoothingParam() }),
    create: (p) => ({ name: 'binary_crossentropy' as const, ...p }),
  }),
};

export const categoricalCrossentropy: LossComponent = {
  head: 'softmax',
  ...component({
    name: 'categorical_crossentropy',
    summary: 'any number of classes: one softmax output per class',
    params: Params({ label_smoothing: labelSmoothingParam() }),
    create: (p) => ({ name: 'categorical_crossentropy' as const, ...p }),
  }),
};
