import path from 'node:path';
import { ENSEMBLE_TAG, FILE_TAG, KFOLD_TAG, PARENT_TAG, SETS_TAG, SWEEP_TAG } from '../runner/record.js';
import { shellWord } from '../text/shell.js';
import type { Run } from '../tracking/index.js';

/** The repository-relative experiment file, as provenanceTags records it. */
const SOURCE_TAG = 'mlflow.source.name';
/** The tags a run's command is read from (RunRecorder.start, SweepParent.start, createEnsemble record them). */
export const REPRODUCE_TAGS = [FILE_TAG, SETS_TAG, SOURCE_TAG, PARENT_TAG, ENSEMBLE_TAG, KFOLD_TAG, SWEEP_TAG];

export interface Reproduction {
  command: string;
  /** What else the command trains: a sweep's trial or a fold is run with its whole sweep or all its folds. */
  scope?: string;
}

/**
 * The experiment file as a user here types it: relative to `cwd` when it lies under it; else
 * the repository-relative name (`mlflow.source.name`), right from the root of any checkout of
 * the repository (a run trained in another worktree or clone); else the absolute path.
 */
function experimentFile(run: Run, cwd: string): string {
  const file = run.data.tags[FILE_TAG]!;
  const rel = path.relative(cwd, file);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  const source = run.data.tags[SOURCE_TAG];
  return source && !path.isAbsolute(source) ? source : file;
}

/** `exp run <file> --set ...` from the run's own tags; undefined when they are missing or unreadable. */
function runCommand(run: Run, cwd: string): string | undefined {
  if (!run.data.tags[FILE_TAG]) return undefined;
  let sets: unknown = [];
  try {
    sets = JSON.parse(run.data.tags[SETS_TAG] ?? '[]');
  } catch {
    return undefined;
  }
  if (!Array.isArray(sets) || !sets.every((s) => typeof s === 'string')) return undefined;
  return ['exp run', shellWord(experimentFile(run, cwd)), ...sets.map((s: string) => `--set ${shellWord(s)}`)].join(' ');
}

/** What the command that made a child run also trains: its sweep or its k-fold parent's folds. */
function scopeOf(run: Run, byId: ReadonlyMap<string, Run>): string | undefined {
  const parentId = run.data.tags[PARENT_TAG];
  if (!parentId) return undefined;
  const parent = byId.get(parentId);
  // A sweep's parent is on the board only once the whole sweep finished: an unknown parent is taken for one.
  if (!parent || parent.data.tags[SWEEP_TAG] === 'true' || parent.data.tags[PARENT_TAG]) return 'with its whole sweep';
  const k = parent.data.tags[KFOLD_TAG];
  return k ? `with all ${k} folds` : undefined;
}

/**
 * The command that makes this run again, from what it recorded: `exp run` of its experiment file
 * with its `--set` overrides (a sweep's trial and a fold: the whole sweep or all folds, as `exp run`
 * trains them; a k-fold parent: its folds' command); `exp ensemble` of its members by id for an
 * ensemble made on the command line. Undefined when the run recorded neither (not made by exp).
 */
export function reproduce(run: Run, runs: readonly Run[], cwd = process.cwd()): Reproduction | undefined {
  const byId = new Map(runs.map((r) => [r.info.runId, r]));
  const scope = scopeOf(run, byId);
  const own = runCommand(run, cwd);
  if (own) return { command: own, ...(scope ? { scope } : {}) };
  const members = run.data.tags[ENSEMBLE_TAG];
  if (members) return { command: ['exp ensemble', ...members.split(','), `--name ${shellWord(run.info.runName)}`].join(' ') };
  if (run.data.tags[KFOLD_TAG]) {
    // The parent records no file of its own: its folds' command makes it, with them.
    const fold = runs.find((r) => r.data.tags[PARENT_TAG] === run.info.runId && runCommand(r, cwd));
    if (fold) return { command: runCommand(fold, cwd)!, ...(scope ? { scope } : {}) };
  }
  return undefined;
}
