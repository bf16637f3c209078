import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { Monitor, monitorParams, type CallbackComponent } from './callback.js';

export const earlyStopping: CallbackComponent = component({
  name: 'early_stopping',
  summary: 'stops when the monitored metric stops improving, and can end with the best epoch\'s weights',
  params: Params({
    ...monitorParams,
    patience: Type.Integer({ minimum: 0, default: 3, description: 'epochs without improvement before stopping' }),
    restore_best: Type.Boolean({ default: true, description: 'end with the weights of the best epoch' }),
  }),
  create: (p) => {
    const monitor = new Monitor(p.monitor, p.min_delta);
    return {
      state: () => monitor.state(),
      restore: (state) => monitor.restore(state),
      onEpochEnd(logs, control) {
        if (monitor.improved(logs)) {
          if (p.restore_best) control.keepBest(logs.epoch);
        } else if (monitor.wait >= Math.max(1, p.patience)) {
          // As Keras counts it: stop once `patience` epochs in a row brought no improvement.
          control.stop(`${p.monitor} did not improve for ${monitor.wait} epoch${monitor.wait === 1 ? '' : 's'} (best ${monitor.best.toFixed(4)})`);
        }
      },
      onTrainEnd(control) {
        if (!p.restore_best) return;
        const epoch = control.restoreBest();
        if (epoch !== undefined) control.log(`restored the weights of epoch ${epoch} (best ${p.monitor} ${monitor.best.toFixed(4)})`);
      },
    };
  },
});
