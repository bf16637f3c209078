import { Type, type Static } from '@sinclair/typebox';
import { checkSchema } from './ajv.js';
import { IssueCollector } from './collector.js';
import { ConfigError } from './issues.js';
import type { LoadedExperiment } from './load.js';

const closed = { additionalProperties: false } as const;

/** `ensemble:` in an experiment file: named runs, or the best K of an experiment by a validation metric. */
export const EnsembleSchema = Type.Union(
  [
    Type.Object({ runs: Type.Array(Type.String({ minLength: 1 }), { minItems: 2, uniqueItems: true, description: 'run ids, starts of ids, or names' }) }, closed),
    Type.Object(
      {
        top: Type.Integer({ minimum: 2, maximum: 100, description: 'how many runs: the best by rank_by' }),
        experiment: Type.Optional(Type.String({ minLength: 1, description: "the MLflow experiment to choose from; default: this file's" })),
        rank_by: Type.String({ minLength: 1, default: 'best_val_auc', description: 'a validation metric (best_val_<metric>): members are never chosen on test' }),
      },
      closed,
    ),
  ],
  { description: '{runs: [...]} or {top: 3, experiment: NAME, rank_by: best_val_auc}: the mean of finished runs, logged as a run of its own' },
);

/** An experiment file that averages runs: it trains nothing, so it has no data, model or train; its members' settings judge it. */
export const EnsembleFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    experiment: Type.String({ minLength: 1, description: 'MLflow experiment the ensemble run is logged in' }),
    name: Type.String({ minLength: 1, description: "the ensemble run's name" }),
    description: Type.Optional(Type.String()),
    extends: Type.Optional(Type.String({ minLength: 1 })),
    ensemble: EnsembleSchema,
  },
  closed,
);

export type EnsembleSpec = Static<typeof EnsembleSchema>;

export interface EnsembleFile {
  file: string;
  experiment: string;
  name: string;
  description?: string;
  ensemble: EnsembleSpec;
}

/** An experiment file with `ensemble:`, checked; its problems located in the file. */
export function loadEnsembleFile(loaded: LoadedExperiment): EnsembleFile {
  const issues = new IssueCollector(loaded.sources, loaded.overrides);
  const value = structuredClone(loaded.value);
  for (const key of ['data', 'model', 'train', 'augment', 'class_weight', 'evaluate', 'targets', 'sweep']) {
    if (key in value) {
      issues.add([key], `an ensemble trains nothing and is judged as its first member's experiment says: ${key} does not apply here`, ['an ensemble file has experiment, name, description and ensemble']);
      delete value[key];
    }
  }
  checkSchema(EnsembleFileSchema, value, [], issues);
  if (issues.issues.length > 0) throw new ConfigError(issues.issues);
  const v = value as Static<typeof EnsembleFileSchema>;
  return { file: loaded.file, experiment: v.experiment, name: v.name, ...(v.description ? { description: v.description } : {}), ensemble: v.ensemble };
}
