import type { LayerSpec } from '../../model/spec.js';
import { Registry } from '../registry.js';
import type { LayerComponent } from './layer.js';
import { activation } from './activation.js';
import { add } from './add.js';
import { avgpool } from './avgpool.js';
import { batchnorm } from './batchnorm.js';
import { concat } from './concat.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { depthwiseConv2d } from './depthwise-conv2d.js';
import { dropout } from './dropout.js';
import { flatten } from './flatten.js';
import { globalAvgpool } from './global-avgpool.js';
import { globalMaxpool } from './global-maxpool.js';
import { maxpool } from './maxpool.js';
import { multiply } from './multiply.js';
import { separableConv2d } from './separable-conv2d.js';
import { zeroPadding2d } from './zero-padding2d.js';

export type { LayerComponent, TfjsLayerContext } from './layer.js';

/** Every spec type has exactly one layer, so the engines can always run what a model resolves to. */
type LayerTable = { [K in LayerSpec['type']]: LayerComponent<Extract<LayerSpec, { type: K }>> };

const table: LayerTable = {
  conv2d, maxpool, avgpool, global_avgpool: globalAvgpool, global_maxpool: globalMaxpool,
  flatten, dense, dropout, batchnorm, activation,
  add, concat, multiply, depthwise_conv2d: depthwiseConv2d, separable_conv2d: separableConv2d, zero_padding2d: zeroPadding2d,
};

export const layers = new Registry<LayerComponent>('layer');
for (const l of Object.values(table)) layers.register(l);

/** The layer that runs a spec, typed against that spec. */
export function layerOf<S extends LayerSpec>(spec: S): LayerComponent<S> {
  return table[spec.type] as unknown as LayerComponent<S>;
}
