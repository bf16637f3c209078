import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_OFFLINE_DIR } from '../tracking/offline-dir.js';

/** What a command's module holds: its options and what it does (its name and summary are in COMMANDS). */
export type CommandBody<A = object> = Required<Pick<CommandModule<object, A>, 'builder' | 'handler'>>;

/** Each command types its own arguments; yargs checks them against that command's options. */
const untyped = <A>(body: CommandBody<A>): CommandModule => body as unknown as CommandModule;

interface CommandEntry {
  command: string;
  describe: string;
  load: () => Promise<CommandModule>;
}

/**
 * Every command, with its module loaded only when that command runs: the engines (tfjs,
 * onnxruntime) and the plot renderer (vega) load in about 1.5 s, which `exp validate` and
 * `exp --help`, called often by editors and CI, should not pay.
 */
export const COMMANDS: CommandEntry[] = [
  { command: 'run <files..>', describe: 'validate, train, evaluate and track each experiment', load: async () => untyped((await import('./commands/run.js')).runCommand) },
  { command: 'resume <run-id>', describe: 'continue an interrupted run from its last checkpoint, in the same MLflow run', load: async () => untyped((await import('./commands/resume.js')).resumeCommand) },
  { command: 'validate <files..>', describe: 'check experiment files; exit 0 when all are valid, 1 otherwise', load: async () => untyped((await import('./commands/validate.js')).validateCommand) },
  { command: 'list [kind]', describe: "show what is registered, with each entry's params and defaults", load: async () => untyped((await import('./commands/list.js')).listCommand) },
  { command: 'rank', describe: 'leaderboard of finished runs: passing every target first, then by a metric', load: async () => untyped((await import('./commands/rank.js')).rankCommand) },
  {
    command: 'compare <a> <b>',
    describe: "whether one run is really better than another on the same test set: McNemar's exact test for accuracy, a paired bootstrap for AUC and each class's recall",
    load: async () => untyped((await import('./commands/compare.js')).compareCommand),
  },
  {
    command: 'ensemble <runs..>',
    describe: "average finished runs' probabilities into one model: threshold chosen on validation, judged on test, logged as a run exp predict can use",
    load: async () => untyped((await import('./commands/ensemble.js')).ensembleCommand),
  },
  {
    command: 'runs <action> [run-ids..]',
    describe: 'list runs with their status (RUNNING runs whose process is gone show as stale), or clean: close stale runs as KILLED',
    load: async () => untyped((await import('./commands/runs.js')).runsCommand),
  },
  {
    command: 'report [run-id]',
    describe: 'write a self-contained HTML report of a run (config, metrics, verdict, plots) or of an experiment (--experiment)',
    load: async () => untyped((await import('./commands/report.js')).reportCommand),
  },
  {
    command: 'predict <images..>',
    describe: "classify images with a run's saved model, preprocessed as in training, using the run's threshold",
    load: async () => untyped((await import('./commands/predict.js')).predictCommand),
  },
  {
    command: 'serve',
    describe: "serve a run's model over HTTP: POST /predict (with ?explain=1 a heatmap), GET /model, GET /health, and a web page at /",
    load: async () => untyped((await import('./commands/serve.js')).serveCommand),
  },
  { command: 'data <command>', describe: 'look at a data folder (exp data inspect <dir>)', load: async () => untyped((await import('./commands/data-inspect.js')).dataCommand) },
  { command: 'sync', describe: `push runs logged offline (${DEFAULT_OFFLINE_DIR}) to the tracking server`, load: async () => untyped((await import('./commands/sync.js')).syncCommand) },
  {
    command: 'worker',
    describe: 'take trials from a queue (exp run --queue) and train them, each in its own process, until stopped',
    load: async () => untyped((await import('./commands/worker.js')).workerCommand),
  },
  {
    command: 'queue <action> [ids..]',
    describe: 'the trial queue: status (every trial and its state), drain (drop the trials not started), retry <job-id..> (failed trials again)',
    load: async () => untyped((await import('./commands/queue.js')).queueCommand),
  },
];

/** A command for yargs whose builder and handler load the command's module on first use. */
export function lazyCommand({ command, describe, load }: CommandEntry): CommandModule {
  return {
    command,
    describe,
    builder: async (y: Argv) => {
      const { builder } = await load();
      return typeof builder === 'function' ? builder(y) : y.options(builder ?? {});
    },
    handler: async (args: ArgumentsCamelCase) => (await load()).handler(args),
  };
}
