import { availableParallelism } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { loadRuns } from '../../config/expand.js';
import { ConfigError, type ConfigIssue } from '../../config/issues.js';
import { describePlan } from '../../runner/plan.js';
import { runAll, type Outcome } from '../../runner/run-all.js';
import { boardFor } from '../../rank/board-for.js';
import { formatLeaderboard } from '../../rank/leaderboard.js';
import { openStore, resolveTrackingUri } from '../../tracking/index.js';
import { reportError } from '../errors.js';
import { overridesFrom, setOption } from '../overrides-option.js';
import { Progress } from '../progress.js';
import { offlineNotice, trackingUriOption } from '../tracking-option.js';

interface Args {
  files: string[];
  set: string[];
  quiet: boolean;
  rerun: boolean;
  jobs: number;
  dryRun: boolean;
  json: boolean;
  trackingUri?: string;
}

/** Runs each loader, gathering the issues of all files into one ConfigError. */
function collectIssues<T>(loaders: (() => T)[]): T[] {
  const issues: ConfigIssue[] = [];
  const results: T[] = [];
  for (const load of loaders) {
    try {
      results.push(load());
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return results;
}

function summary(outcomes: Outcome[]): string {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  const lines = outcomes.map((o) => `  ${o.status.padEnd(8)}  ${o.name}${o.runId ? `  (${o.runId})` : ''}${o.error ? `: ${o.error}` : ''}`);
  return `${outcomes.length} runs: ${count('finished')} finished, ${count('skipped')} skipped, ${count('failed')} failed\n${lines.join('\n')}`;
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <files..>',
  describe: 'validate, train, evaluate and track each experiment',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true })
      .option('set', setOption)
      .option('tracking-uri', trackingUriOption)
      .option('jobs', { type: 'number', default: 1, describe: 'train up to N runs at once, each in its own process' })
      .option('rerun', { type: 'boolean', default: false, describe: 'train again even when an identical run already finished' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'validate and show what each run would train, then stop' })
      .option('json', { type: 'boolean', default: false, describe: 'print only the results, as JSON' })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      // Validate every run of every file before the first one starts, so a typo in the last fails fast.
      const overrides = overridesFrom(args.set);
      const files = collectIssues(args.files.map((f) => () => loadRuns(f, overrides, { requireData: true })));
      if (args.dryRun) {
        for (const exp of files.flatMap((f) => f.runs)) process.stdout.write(`${describePlan(exp)}\n\n`);
        return;
      }
      const store = openStore(args.trackingUri, { onOffline: offlineNotice(resolveTrackingUri(args.trackingUri)) });
      const progress = new Progress(process.stdout, args.quiet || args.json);
      const task = { files: args.files, overrides: args.set, ...(args.trackingUri ? { trackingUri: args.trackingUri } : {}), threads: Math.max(1, Math.floor(availableParallelism() / args.jobs)) };
      const outcomes = await runAll(files, store, progress, args.rerun, args.jobs, task);
      if (args.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      else if (outcomes.length > 1) {
        progress.line(summary(outcomes));
        for (const experiment of new Set(files.flatMap((f) => f.runs.map((r) => r.config.experiment)))) {
          const board = await boardFor(store, experiment, 'test_accuracy').catch(() => undefined);
          if (board) progress.line(`\nleaderboard of ${experiment}\n${formatLeaderboard(board.rows.slice(0, 20))}`);
        }
      }
      if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
