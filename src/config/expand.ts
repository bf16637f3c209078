import { checkSchema } from './ajv.js';
import { IssueCollector } from './collector.js';
import { ConfigError } from './issues.js';
import { loadExperiment } from './load.js';
import type { Override } from './locate.js';
import { checkSweep, expandSweep, SweepSchema, type Sweep } from './sweep.js';
import { validateExperiment, type ValidateOptions, type ValidatedExperiment } from './validate.js';

/** One experiment file as the runs it stands for: itself, or every run of its sweep. */
export interface ExperimentRuns {
  file: string;
  /** Set when the file is a sweep: its values per run, in run order. */
  sweep?: { name: string; experiment: string; values: Record<string, unknown>[] };
  runs: ValidatedExperiment[];
}

/**
 * Loads a file and validates every run it expands to before any starts, reporting all
 * problems of all runs at once.
 */
export function loadRuns(file: string, overrides: Override[] = [], options: ValidateOptions = {}): ExperimentRuns {
  const loaded = loadExperiment(file, overrides);
  const sweep = loaded.value.sweep;
  if (sweep === undefined) return { file: loaded.file, runs: [validateExperiment(loaded, options)] };
  const issues = new IssueCollector(loaded.sources, loaded.overrides);
  if (checkSchema(SweepSchema, sweep, ['sweep'], issues)) checkSweep(sweep as Sweep, issues);
  if (issues.issues.length > 0) throw new ConfigError(issues.issues);
  const points = expandSweep(loaded, sweep as Sweep);
  const runs: ValidatedExperiment[] = [];
  const problems = [];
  for (const p of points) {
    try {
      runs.push(validateExperiment(p.loaded, options));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.issues);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    file: loaded.file,
    sweep: { name: String(loaded.value.name), experiment: String(loaded.value.experiment), values: points.map((p) => p.values) },
    runs,
  };
}
