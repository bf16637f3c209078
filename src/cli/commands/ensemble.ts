import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { createEnsemble } from '../../ensemble/ensemble.js';
import { formatReport } from '../../metrics/index.js';
import { openStore } from '../../tracking/index.js';
import { printable } from '../../text/escape.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { resolveRunId } from '../../tracking/resolve-run.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  runs: string[];
  name: string;
  trackingUri?: string;
  json: boolean;
}

export const ensembleCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'two or more runs on the same validation and test sets: ids, starts of ids, or names' })
      .option('name', { type: 'string', demandOption: true, describe: "the ensemble run's name" })
      .option('tracking-uri', trackingUriOption)
      .option('json', { type: 'boolean', default: false, describe: 'print the run id, metrics and verdict as JSON' })
      .example('$0 ensemble cnn2 cnn4 --name cnn2+cnn4', 'the mean of two runs, logged as the run cnn2+cnn4') as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      if (args.runs.length < 2) throw new UserError('name at least two runs to average');
      const store = openStore(args.trackingUri, { offlineFallback: false });
      const ids = [];
      for (const ref of args.runs) ids.push(await resolveRunId(store, String(ref)));
      const result = await createEnsemble(store, ids, args.name);
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ runId: result.runId, members: result.members, threshold: result.threshold, verdict: result.verdict.pass ? 'PASS' : 'FAIL', metrics: result.metrics }, null, 2)}\n`);
        return;
      }
      const lines = [
        `ensemble ${args.name} (${result.runId}): the mean of ${result.members.map((m) => `${m.runName} (${m.runId})`).join(', ')}`,
        ...(result.threshold !== null ? [`threshold ${result.threshold.toFixed(4)}, chosen on validation`] : []),
        '',
        `test set (${result.test.files.length} images):`,
        formatReport(result.evaluation, result.verdict),
      ];
      process.stdout.write(`${printable(lines.join('\n'), { keepNewlines: true })}\n`);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
