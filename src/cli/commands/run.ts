import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { loadRuns, type ExperimentRuns } from '../../config/expand.js';
import { enqueueRuns } from '../../queue/enqueue.js';
import { followTrials } from '../../queue/follow.js';
import { redisOptions } from '../../queue/connection.js';
import type { TrackingStore } from '../../tracking/index.js';
import { UserError } from '../../core/errors.js';
import { ConfigError, type ConfigIssue } from '../../config/issues.js';
import { describePlan } from '../../runner/plan.js';
import { runAll, type Outcome } from '../../runner/run-all.js';
import { boardFor } from '../../rank/board-for.js';
import { formatLeaderboard } from '../../rank/leaderboard.js';
import { offlineNotice, openStore, resolveTrackingUri } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { setOption } from '../overrides-option.js';
import { overridesFrom } from '../../config/overrides.js';
import { Progress } from '../../core/progress.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  files: string[];
  set: string[];
  quiet: boolean;
  rerun: boolean;
  jobs: number;
  dryRun: boolean;
  json: boolean;
  trackingUri?: string;
  queue?: string;
  detach: boolean;
  attempts: number;
  sharedStore: boolean;
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
  const pruned = outcomes.filter((o) => o.pruned).length;
  const lines = outcomes.map((o) => `  ${(o.pruned ? 'pruned' : o.status).padEnd(8)}  ${o.name}${o.runId ? `  (${o.runId})` : ''}${o.error ? `: ${o.error}` : ''}`);
  return `${outcomes.length} runs: ${count('finished') - pruned} finished, ${pruned ? `${pruned} pruned, ` : ''}${count('skipped')} skipped, ${count('failed')} failed\n${lines.join('\n')}`;
}

/**
 * `exp run --queue`: enqueue every run for the workers, then follow them to the end (or return,
 * with --detach). A tracking folder is refused unless --shared-store says every worker sees it at
 * the same path: a worker would otherwise log to a folder of its own machine that nobody reads.
 */
async function runOnQueue(files: ExperimentRuns[], store: TrackingStore, args: Args, progress: Progress): Promise<Outcome[] | undefined> {
  if (store.uri.startsWith('file:') && !args.sharedStore) {
    throw new UserError(
      `--queue needs a tracking store every worker reaches: ${store.uri} is a folder on this machine. Use an MLflow server (--tracking-uri http://host:5000), or add --shared-store if this folder is shared (NFS) at the same path on every worker`,
    );
  }
  if (!Number.isInteger(args.attempts) || args.attempts < 1) throw new UserError(`--attempts must be a whole number >= 1 (got ${args.attempts})`);
  const ensemble = files.find((f) => f.ensemble);
  if (ensemble) throw new UserError(`${ensemble.file} is an ensemble, which trains nothing: run it without --queue once its members have finished`);
  const url = args.queue!;
  const trials = await enqueueRuns(files, store, url, { files: args.files, overrides: args.set, rerun: args.rerun, attempts: args.attempts }, progress);
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  progress.line(`${trials.length} trials: ${count('enqueued')} enqueued, ${count('queued before')} already on the queue, ${count('finished before')} already finished (${store.uri})`);
  if (args.detach) {
    const { label } = redisOptions(url);
    progress.line(`start workers with \`exp worker --queue ${label}\`; see the trials with \`exp queue status --queue ${label}\``);
    return undefined;
  }
  progress.line('following the trials (Ctrl-C stops following; the workers carry on)');
  return followTrials(url, trials, progress);
}

export const runCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true })
      .option('set', setOption)
      .option('tracking-uri', trackingUriOption)
      .option('jobs', { type: 'number', default: 1, describe: 'train up to N runs at once, each in its own process' })
      .option('rerun', { type: 'boolean', default: false, describe: 'train again even when an identical run already finished' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'validate and show what each run would train, then stop' })
      .option('json', { type: 'boolean', default: false, describe: 'print only the results, as JSON' })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' })
      .option('queue', { type: 'string', describe: 'enqueue the runs on this Redis (redis://host:6379[/db]) for `exp worker`s instead of training here' })
      .option('detach', { type: 'boolean', default: false, describe: 'with --queue: enqueue and return instead of following the trials' })
      .option('attempts', { type: 'number', default: 3, describe: 'with --queue: tries per trial before it is FAILED (with backoff between)' })
      .option('shared-store', { type: 'boolean', default: false, describe: 'with --queue: the tracking folder is shared, at the same path, by every worker' })
      .check((a) => a.queue === undefined || a.jobs === 1 || '--jobs trains here; with --queue each worker sets how many trials it trains at once (exp worker --jobs N)') as unknown as Argv<Args>,
  handler: async (args) => {
    /** The results as JSON, or a summary and each experiment's board; exit 1 if a run failed. */
    const finish = async (outcomes: Outcome[]): Promise<void> => {
      const progress = new Progress(process.stdout, args.quiet || args.json);
      if (args.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      else if (outcomes.length > 1 || args.queue !== undefined) {
        progress.line(summary(outcomes));
        const store = openStore(args.trackingUri);
        for (const experiment of new Set(outcomes.length ? files.flatMap((f) => f.runs.map((r) => r.config.experiment)) : [])) {
          const board = await boardFor(store, experiment, 'test_accuracy').catch(() => undefined);
          if (board) progress.line(`\nleaderboard of ${experiment}\n${formatLeaderboard(board.rows.slice(0, 20))}`);
        }
      }
      if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
    };
    let files: ExperimentRuns[] = [];
    try {
      // Validate every run of every file before the first one starts, so a typo in the last fails fast.
      const overrides = overridesFrom(args.set);
      files = collectIssues(args.files.map((f) => () => loadRuns(f, overrides, { requireData: true })));
      if (args.dryRun) {
        for (const exp of files.flatMap((f) => f.runs)) process.stdout.write(`${describePlan(exp)}\n\n`);
        for (const { ensemble: e } of files) if (e) process.stdout.write(`ensemble     ${e.experiment} / ${e.name}: the mean of ${'runs' in e.ensemble ? e.ensemble.runs.join(', ') : `the best ${e.ensemble.top} of ${e.ensemble.experiment ?? e.experiment} by ${e.ensemble.rank_by} (chosen when it runs)`}\n\n`);
        return;
      }
      const store = openStore(args.trackingUri, { onOffline: offlineNotice(resolveTrackingUri(args.trackingUri)) });
      const progress = new Progress(process.stdout, args.quiet || args.json);
      if (args.queue !== undefined) {
        const outcomes = await runOnQueue(files, store, args, progress);
        if (outcomes) await finish(outcomes);
        return;
      }
      const task = { files: args.files, overrides: args.set, ...(args.trackingUri ? { trackingUri: args.trackingUri } : {}), threads: Math.max(1, Math.floor(availableParallelism() / args.jobs)) };
      await finish(await runAll(files, store, progress, args.rerun, args.jobs, task));
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
