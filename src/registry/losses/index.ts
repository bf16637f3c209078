import { withDefaults } from '../../config/ajv.js';
import { headFor } from '../../model/head.js';
import { Registry } from '../registry.js';
import { binaryCrossentropy, categoricalCrossentropy } from './crossentropy.js';
import { categoricalFocal } from './categorical-focal.js';
import { focal } from './focal.js';
import type { LossComponent, LossSpec } from './loss.js';

export type { LossComponent, LossSpec } from './loss.js';

export const losses = new Registry<LossComponent>('loss');
for (const l of [binaryCrossentropy, categoricalCrossentropy, focal, categoricalFocal]) losses.register(l);

/** The loss an experiment gets when it names none: it follows from the class count. */
export const defaultLoss = (classes: number): string => headFor(classes).loss;

/** `train.loss` as written (a name, or {name, ...params}; absent: from the class count) as a {name, params} pair. */
export function lossEntry(loss: unknown, classes: number): { name: string; params: Record<string, unknown> } {
  if (loss === undefined) return { name: defaultLoss(classes), params: {} };
  if (typeof loss === 'string') return { name: loss, params: {} };
  const { name, ...params } = loss as { name: string };
  return { name, params };
}

/** The loss of a validated experiment, its defaults filled in. */
export function createLoss(loss: unknown, classes: number): LossSpec {
  const { name, params } = lossEntry(loss, classes);
  const component = losses.get(name);
  return component.create(withDefaults(component.params, params), undefined);
}
