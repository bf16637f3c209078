import { Registry } from '../registry.js';
import type { CallbackComponent } from './callback.js';
import { earlyStopping } from './early-stopping.js';
import { reduceLrOnPlateau } from './reduce-lr.js';

export type { Callback, CallbackComponent, EpochLogs, EpochMetric, TrainingControl } from './callback.js';
export { EPOCH_METRICS } from './callback.js';

export const callbacks = new Registry<CallbackComponent>('callback');
for (const c of [earlyStopping, reduceLrOnPlateau]) callbacks.register(c);
