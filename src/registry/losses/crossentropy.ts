import { component } from '../component.js';
import { Params } from '../params.js';
import type { LossComponent } from './loss.js';

export const binaryCrossentropy: LossComponent = {
  head: 'sigmoid',
  ...component({
    name: 'binary_crossentropy',
    summary: 'two classes: one sigmoid output, the probability of the second (positive) class',
    params: Params({}),
    create: () => ({ name: 'binary_crossentropy' as const }),
  }),
};

export const categoricalCrossentropy: LossComponent = {
  head: 'softmax',
  ...component({
    name: 'categorical_crossentropy',
    summary: 'any number of classes: one softmax output per class',
    params: Params({}),
    create: () => ({ name: 'categorical_crossentropy' as const }),
  }),
};
