import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { compareRuns } from '../../compare/compare-runs.js';
import { formatComparison } from '../../compare/format.js';
import { readTestPredictions } from '../../compare/test-predictions.js';
import { openStore } from '../../tracking/index.js';
import { printable } from '../../text/escape.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { resolveRunId } from '../../tracking/resolve-run.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  a: string;
  b: string;
  trackingUri?: string;
  resamples: number;
  seed: number;
  json: boolean;
}

export const compareCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('a', { type: 'string', describe: 'the first run: its id, the start of its id, or its name' })
      .positional('b', { type: 'string', describe: 'the second run, the same way; differences are b - a' })
      .option('tracking-uri', trackingUriOption)
      .option('resamples', { type: 'number', default: 2000, describe: 'bootstrap resamples' })
      .option('seed', { type: 'number', default: 0, describe: 'bootstrap seed (the same seed gives the same intervals)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
      .example('$0 compare cnn2 cnn4', 'is cnn4 better than cnn2?') as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      if (!(Number.isInteger(args.resamples) && args.resamples >= 100 && args.resamples <= 100_000)) throw new UserError(`--resamples must be a whole number from 100 to 100000, got ${args.resamples}`);
      if (!(Number.isInteger(args.seed) && args.seed >= 0)) throw new UserError(`--seed must be a whole number >= 0, got ${args.seed}`);
      const store = openStore(args.trackingUri, { offlineFallback: false });
      const [idA, idB] = [await resolveRunId(store, String(args.a)), await resolveRunId(store, String(args.b))];
      if (idA === idB) throw new UserError(`'${args.a}' and '${args.b}' are the same run (${idA}): name two runs`);
      const [a, b] = [await readTestPredictions(store, idA), await readTestPredictions(store, idB)];
      const comparison = compareRuns(a, b, { resamples: args.resamples, seed: args.seed });
      if (args.json) {
        const runs = { a: { runId: a.runId, runName: a.runName }, b: { runId: b.runId, runName: b.runName } };
        process.stdout.write(`${JSON.stringify({ ...runs, ...comparison }, null, 2)}\n`);
      } else {
        process.stdout.write(`${printable(formatComparison(comparison, { a: `${a.runName} (${a.runId})`, b: `${b.runName} (${b.runId})` }), { keepNewlines: true })}\n`);
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
