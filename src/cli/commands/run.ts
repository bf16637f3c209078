import type { Argv, CommandModule } from 'yargs';
import { displayPath } from '../../config/locate.js';
import { loadAndValidate, type ValidatedExperiment } from '../../config/validate.js';
import { boardFor } from '../../rank/board-for.js';
import { formatLeaderboard } from '../../rank/leaderboard.js';
import { RunRecorder } from '../../runner/record.js';
import { runExperiment } from '../../runner/run-experiment.js';
import { openStore, ResilientStore, type TrackingStore } from '../../tracking/index.js';
import { reportError } from '../errors.js';
import { overridesFrom, setOption } from '../overrides-option.js';
import { Progress } from '../progress.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  files: string[];
  set: string[];
  quiet: boolean;
  trackingUri?: string;
}

/**
 * Closes the run as KILLED on Ctrl-C / SIGTERM before exiting, so no run is left RUNNING;
 * a second signal exits at once. Returns a function removing the handlers.
 */
function closeOnSignal(recorder: RunRecorder, progress: Progress): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    progress.line(`\n${signal}: closing run ${recorder.runId} as KILLED (again to exit at once)`);
    void recorder.end('KILLED').finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Trains, evaluates and records one experiment, then prints where the run sits on the board. */
export async function runOne(exp: ValidatedExperiment, store: TrackingStore, progress: Progress): Promise<void> {
  progress.line(`== ${exp.config.experiment} / ${exp.config.name} (${displayPath(exp.file)})`);
  const recorder = await RunRecorder.start(store, exp);
  progress.line(`run ${recorder.runId} in ${store.uri}`);
  const release = closeOnSignal(recorder, progress);
  try {
    const outcome = await runExperiment(exp, progress, recorder);
    await recorder.finish(outcome);
  } catch (e) {
    await recorder.end('FAILED', e);
    throw e;
  } finally {
    release();
  }
  // The run is recorded; the board is only a report, so failing to read it does not fail the run.
  if (store instanceof ResilientStore && store.offline) {
    progress.line(`\n${store.uri} was unreachable: the run is kept in ${store.local.root}; push it with \`exp sync --tracking-uri ${store.uri}\``);
    return;
  }
  let board: Awaited<ReturnType<typeof boardFor>>;
  try {
    board = await boardFor(store, exp.config.experiment, 'test_accuracy');
  } catch (e) {
    progress.line(`\nleaderboard unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const { rows } = board;
  const place = rows.find((r) => r.runId === recorder.runId);
  progress.line(`\nleaderboard of ${exp.config.experiment}${place ? `: this run is #${place.rank} of ${rows.length}` : ''}\n${formatLeaderboard(rows.slice(0, 10), recorder.runId)}\n`);
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <files..>',
  describe: 'validate, train, evaluate and track each experiment',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true })
      .option('set', setOption)
      .option('tracking-uri', trackingUriOption)
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      // Validate every file before the first one starts, so a typo in the last fails fast.
      const overrides = overridesFrom(args.set);
      const experiments = args.files.map((f) => loadAndValidate(f, overrides));
      const store = openStore(args.trackingUri);
      const progress = new Progress(process.stdout, args.quiet);
      for (const exp of experiments) await runOne(exp, store, progress);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
