import { Registry } from '../registry.js';
import { balanced, sqrtBalanced } from './balanced.js';
import { none } from './none.js';
import type { ClassWeightComponent } from './strategy.js';

export type { ClassCounts, ClassWeightComponent } from './strategy.js';

/** Named strategies; an explicit `{CLASS: weight}` map in the experiment needs no entry. */
export const classWeights = new Registry<ClassWeightComponent>('class-weight strategy');
for (const s of [none, balanced, sqrtBalanced]) classWeights.register(s);
