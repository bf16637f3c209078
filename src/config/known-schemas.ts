import type { TSchema } from '@sinclair/typebox';
import { builtinArchitectures, augmentations, callbacks, layers, losses, optimizers, schedulers, schedules, ttaViews } from '../registry/index.js';
import { ModelFileSchema } from '../registry/architectures/yaml-architecture.js';
import { EnsembleFileSchema } from './ensemble.js';
import { BaseExperimentSchema, ThresholdChoiceSchema } from './schema.js';
import { SweepSchema } from './sweep.js';

/**
 * Every schema exp itself validates with: the experiment's, a sweep's, an ensemble's and a model
 * file's, and each registered component's params. The build generates their validators
 * (write-validators.ts); a model file's own params are compiled when used.
 */
export function knownSchemas(): TSchema[] {
  const registries = [builtinArchitectures(), augmentations, callbacks, layers, losses, optimizers, schedulers, schedules, ttaViews];
  return [BaseExperimentSchema, ThresholdChoiceSchema, SweepSchema, EnsembleFileSchema, ModelFileSchema, ...registries.flatMap((r) => r.entries().map((e) => e.params))];
}
