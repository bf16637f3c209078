import { component } from '../component.js';
import { Params } from '../params.js';
import type { LayerComponent } from './layer.js';

export const flatten: LayerComponent = component({
  name: 'flatten',
  summary: 'flattens height, width and channels into one axis (NHWC order, like Keras)',
  params: Params({}),
  create: () => ({ type: 'flatten' }),
});
