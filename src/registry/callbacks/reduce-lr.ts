import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { Monitor, monitorParams, type CallbackComponent } from './callback.js';

export const reduceLrOnPlateau: CallbackComponent = component({
  name: 'reduce_lr_on_plateau',
  summary: 'multiplies the learning rate by `factor` when the monitored metric plateaus (Keras ReduceLROnPlateau); with a train.schedule, it scales the schedule from then on',
  params: Params({
    ...monitorParams,
    factor: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5, description: 'multiplier for the learning rate' }),
    patience: Type.Integer({ minimum: 0, default: 2, description: 'epochs without improvement before reducing' }),
    min_lr: Type.Number({ minimum: 0, default: 1e-6, description: 'the learning rate never goes below this' }),
  }),
  create: (p) => {
    const monitor = new Monitor(p.monitor, p.min_delta);
    return {
      state: () => monitor.state(),
      restore: (state) => monitor.restore(state),
      onEpochEnd(logs, control) {
        // As Keras counts it: reduce once `patience` epochs in a row brought no improvement.
        if (!monitor.improved(logs) && monitor.wait >= Math.max(1, p.patience) && control.learningRate > p.min_lr) {
          control.scaleLearningRate(Math.max(p.min_lr, control.learningRate * p.factor) / control.learningRate);
          control.log(`${p.monitor} plateaued: learning rate now ${control.learningRate.toPrecision(3)}`);
          monitor.wait = 0;
        }
      },
    };
  },
});
