import { headFor } from '../../model/head.js';
import { Registry } from '../registry.js';
import { binaryCrossentropy, categoricalCrossentropy } from './crossentropy.js';
import type { LossComponent } from './loss.js';

export type { LossComponent, LossSpec } from './loss.js';

export const losses = new Registry<LossComponent>('loss');
for (const l of [binaryCrossentropy, categoricalCrossentropy]) losses.register(l);

/** The loss an experiment gets when it names none: it follows from the class count. */
export const defaultLoss = (classes: number): string => headFor(classes).loss;
