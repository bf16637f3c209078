import { component } from '../component.js';
import { Params } from '../params.js';
import type { ClassWeightComponent } from './strategy.js';

export const none: ClassWeightComponent = component({
  name: 'none',
  summary: 'every class weighs 1',
  params: Params({}),
  create: (_p, { counts }) => counts.map(() => 1),
});
