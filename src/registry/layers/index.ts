import { Registry } from '../registry.js';
import type { LayerComponent } from './layer.js';
import { activation } from './activation.js';
import { batchnorm } from './batchnorm.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { flatten } from './flatten.js';
import { globalAvgpool, globalMaxpool } from './global-pooling.js';
import { avgpool, maxpool } from './pooling.js';

export type { LayerComponent } from './layer.js';

export const layers = new Registry<LayerComponent>('layer');
for (const l of [conv2d, maxpool, avgpool, globalAvgpool, globalMaxpool, flatten, dense, dropout, batchnorm, activation]) {
  layers.register(l);
}
