import { checkSchema } from './ajv.js';
import { loadEnsembleFile, type EnsembleFile } from './ensemble.js';
import { IssueCollector } from './collector.js';
import { ConfigError } from './issues.js';
import { kfoldOf, expandFolds } from './kfold.js';
import { loadExperiment, type LoadedExperiment } from './load.js';
import type { Override } from './locate.js';
import { checkSweep, expandSweep, SweepSchema, type Sweep } from './sweep.js';
import { validateExperiment, type ValidateOptions, type ValidatedExperiment } from './validate.js';

/** One experiment file as the runs it stands for: itself, or every run of its sweep. */
export interface ExperimentRuns {
  file: string;
  /** Set when the file is a sweep: its values per run, in run order. */
  sweep?: { name: string; experiment: string; values: Record<string, unknown>[]; scheduler?: Record<string, unknown> };
  runs: ValidatedExperiment[];
  /** Set when runs are k-fold cross-validations: each one's name and its K fold runs (indices into runs). */
  kfold?: { name: string; runs: number[] }[];
  /** Set when the file averages finished runs (`ensemble:`): it has no runs to train. */
  ensemble?: EnsembleFile;
}

/**
 * Loads a file and validates every run it expands to before any starts, reporting all
 * problems of all runs at once.
 */
export function loadRuns(file: string, overrides: Override[] = [], options: ValidateOptions = {}): ExperimentRuns {
  const loaded = loadExperiment(file, overrides);
  if (loaded.value.ensemble !== undefined) return { file: loaded.file, runs: [], ensemble: loadEnsembleFile(loaded) };
  const sweep = loaded.value.sweep;
  let points: { loaded: LoadedExperiment; values?: Record<string, unknown> }[] = [{ loaded }];
  if (sweep !== undefined) {
    const issues = new IssueCollector(loaded.sources, loaded.overrides);
    if (checkSchema(SweepSchema, sweep, ['sweep'], issues)) checkSweep(sweep as Sweep, issues);
    if (issues.issues.length > 0) throw new ConfigError(issues.issues);
    points = expandSweep(loaded, sweep as Sweep);
  }
  const runs: ValidatedExperiment[] = [];
  const values: Record<string, unknown>[] = [];
  const kfold: { name: string; runs: number[] }[] = [];
  const problems = [];
  for (const p of points) {
    const k = kfoldOf(p.loaded);
    const folds = k === undefined ? [p.loaded] : expandFolds(p.loaded, k);
    const indices: number[] = [];
    for (const one of folds) {
      try {
        indices.push(runs.push(validateExperiment(one, options)) - 1);
        values.push(p.values ?? {});
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.issues);
        // The folds differ only in the fold: one fold's problems are all of them.
        if (k !== undefined) break;
      }
    }
    if (k !== undefined) kfold.push({ name: String(p.loaded.value.name), runs: indices });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    file: loaded.file,
    ...(sweep !== undefined ? { sweep: { name: String(loaded.value.name), experiment: String(loaded.value.experiment), values, ...((sweep as Sweep).scheduler !== undefined ? { scheduler: (sweep as Sweep).scheduler as Record<string, unknown> } : {}) } } : {}),
    ...(kfold.length ? { kfold } : {}),
    runs,
  };
}
