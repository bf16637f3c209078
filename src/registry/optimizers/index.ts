import { Registry } from '../registry.js';
import { adam } from './adam.js';
import type { OptimizerComponent } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

export type { OptimizerComponent, OptimizerSpec } from './optimizer.js';

export const optimizers = new Registry<OptimizerComponent>('optimizer');
for (const o of [adam, sgd, rmsprop]) optimizers.register(o);
