import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { boardFor } from '../../rank/board-for.js';
import { formatLeaderboard } from '../../rank/leaderboard.js';
import { formatMarkdownBoard } from '../../rank/markdown-board.js';
import { PARENT_TAG } from '../../runner/record.js';
import { openRunStates } from '../../runner/stale-runs.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { printable } from '../../text/escape.js';
import { codeSpan, markdownText } from '../../text/markdown.js';
import { checkRunId } from '../run-id.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  experiment?: string;
  trackingUri?: string;
  metric: string;
  sweep?: string;
  format: Format;
  json: boolean;
  gate: boolean;
}

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

/** `--json` is `--format json`, as it was before --format; naming two formats is refused. */
function formatOf(args: Args): Format {
  if (args.json && args.format !== 'text' && args.format !== 'json') throw new UserError(`--json and --format ${args.format}: choose one format`);
  return args.json ? 'json' : args.format;
}

export const rankCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .option('experiment', { type: 'string', describe: 'MLflow experiment name (default: the only one)' })
      .option('tracking-uri', trackingUriOption)
      .option('sweep', { type: 'string', describe: "only the runs of one sweep (its parent run's id)" })
      .option('metric', { type: 'string', default: 'test_accuracy', describe: 'the metric that orders runs, in its direction (a loss ascending); best_val_<metric> for validation at the kept epoch' })
      .option('format', { choices: FORMATS, default: 'text' as Format, describe: 'text: a table for the terminal; json; markdown: a GitHub table with intervals, engine, wall time and the command that makes each run again' })
      .option('json', { type: 'boolean', default: false, describe: 'the same as --format json' })
      .option('gate', { type: 'boolean', default: false, describe: 'exit 1 unless the top run passes every target' })
      .example('$0 rank --experiment chest-xray --metric best_val_balanced_accuracy --format markdown', "a README's leaderboard, ordered on validation") as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      const format = formatOf(args);
      const store = openStore(args.trackingUri, { offlineFallback: false });
      const { experiment, rows, runs } = await boardFor(store, args.experiment, args.metric, args.sweep === undefined ? undefined : checkRunId(args.sweep, 'sweep run id'), format === 'markdown');
      // Not on the board (not finished), but a run left RUNNING by a dead process needs saying.
      const open = (await openRunStates(store, experiment)).filter((s) => !args.sweep || s.run.data.tags[PARENT_TAG] === args.sweep);
      if (format === 'json') {
        const unfinished = open.map((s) => ({ runId: s.run.info.runId, runName: s.run.info.runName, status: s.status, note: s.owner?.why ?? null }));
        process.stdout.write(`${JSON.stringify({ experiment, runs: rows, unfinished }, null, 2)}\n`);
      } else if (format === 'markdown') {
        process.stdout.write(`Experiment ${markdownText(experiment)}: runs passing every target first, then by ${codeSpan(rows[0]?.primary.key ?? args.metric)}${rows.some((r) => r.pruned) ? ', pruned trials last' : ''}.\n\n${formatMarkdownBoard(rows, runs)}\n`);
        // The table stays pasteable: what is not on it goes to stderr.
        if (open.length) process.stderr.write(`exp: ${open.length} run${open.length === 1 ? '' : 's'} of ${printable(experiment)} not finished, not ranked (\`exp rank\` lists them)\n`);
      } else {
        process.stdout.write(`experiment ${printable(experiment)}\n${formatLeaderboard(rows)}\n`);
        if (open.length) process.stdout.write(`\nnot ranked, not finished (\`exp runs clean\` closes stale runs, \`exp resume <run-id>\` continues one):\n${open.map((s) => `  ${s.status.padEnd(7)}  ${printable(s.run.info.runName)}  ${s.run.info.runId}  ${printable(s.owner?.why ?? '')}`).join('\n')}\n`);
      }
      if (args.gate && rows[0]?.verdict !== 'PASS') {
        process.stderr.write(`exp: gate failed: ${rows[0] ? `the top run ${printable(rows[0].runName)} (${rows[0].runId}) does not pass every target` : 'no finished run'}\n`);
        process.exitCode = 1;
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
