import { component } from '../component.js';
import { Params } from '../params.js';
import type { LayerComponent } from './layer.js';

export const globalAvgpool: LayerComponent = component({
  name: 'global_avgpool',
  summary: 'mean over height and width (Keras GlobalAveragePooling2D)',
  params: Params({}),
  create: () => ({ type: 'global_avgpool' }),
});

export const globalMaxpool: LayerComponent = component({
  name: 'global_maxpool',
  summary: 'max over height and width (Keras GlobalMaxPooling2D)',
  params: Params({}),
  create: () => ({ type: 'global_maxpool' }),
});
