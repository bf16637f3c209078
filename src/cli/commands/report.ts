import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { loadExperimentReport } from '../../report/experiment-data.js';
import { experimentReportHtml, runReportHtml } from '../../report/html.js';
import { loadRunReport } from '../../report/run-data.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { resolveRunId } from '../../tracking/resolve-run.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  runId?: string;
  experiment?: string;
  trackingUri?: string;
  out?: string;
  metric: string;
}

/** A file-name-safe form of an experiment name for the default output file. */
const safe = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');

export const reportCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('run-id', { type: 'string', describe: 'the run to report on: its id, the start of its id, or its name' })
      .option('experiment', { type: 'string', describe: 'report on every finished run of this experiment instead: leaderboard and learning curves' })
      .option('tracking-uri', trackingUriOption)
      .option('out', { type: 'string', describe: 'output file (default report-<run-id>.html or report-<experiment>.html in the current folder)' })
      .option('metric', { type: 'string', default: 'test_accuracy', describe: 'with --experiment: the metric that orders runs' })
      .example('$0 report 3f2a...', 'report on one run')
      .example('$0 report --experiment quickstart', 'compare the runs of an experiment') as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      if (args.runId && args.experiment) throw new UserError('give a run id or --experiment, not both');
      if (!args.runId && args.experiment === undefined) throw new UserError('name a run (`exp report <run-id>`) or an experiment (`exp report --experiment NAME`); `exp rank` lists run ids');
      if (args.out !== undefined) {
        const folder = path.dirname(path.resolve(args.out));
        if (!(await stat(folder).then((s) => s.isDirectory(), () => false))) throw new UserError(`--out ${args.out}: the folder ${folder} does not exist`);
      }
      const store = openStore(args.trackingUri, { offlineFallback: false });
      let html: string;
      let out: string;
      if (args.runId) {
        const runId = await resolveRunId(store, args.runId);
        html = runReportHtml(await loadRunReport(store, runId));
        out = args.out ?? `report-${runId}.html`;
      } else {
        const data = await loadExperimentReport(store, args.experiment, args.metric);
        html = experimentReportHtml(data);
        out = args.out ?? `report-${safe(data.experiment)}.html`;
      }
      await writeFile(out, html);
      process.stdout.write(`wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KB); open file://${path.resolve(out)}\n`);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
