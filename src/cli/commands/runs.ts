import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { DEFAULT_STALE_MINUTES, ownerOf } from '../../runner/owner.js';
import { closeStaleRun, END_REASON_TAG, runStates, type RunState } from '../../runner/stale-runs.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  action: 'list' | 'clean';
  runIds: string[];
  experiment: string[];
  trackingUri?: string;
  staleAfter: number;
  force: boolean;
  dryRun: boolean;
  json: boolean;
}

/** Why a run is where it is: its trainer's state while RUNNING, else what ended it. */
const note = (s: RunState): string => s.owner?.why ?? (s.run.data.tags[END_REASON_TAG] ?? s.run.data.tags['exp.error'] ?? '').split('\n')[0]!;

const when = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

function table(states: RunState[]): string {
  if (states.length === 0) return 'no runs';
  const header = ['run id', 'experiment', 'run', 'status', 'started', 'ended', 'host:pid', 'note'];
  const body = states.map((s) => {
    const owner = ownerOf(s.run);
    return [s.run.info.runId, s.experiment, s.run.info.runName, s.status, when(s.run.info.startTime), when(s.run.info.endTime), owner ? `${owner.host}:${owner.pid}` : '-', note(s)];
  });
  const widths = header.map((_, c) => Math.max(header[c]!.length, ...body.map((row) => row[c]!.length)));
  return [header, ...body].map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

/** What `clean` does with a RUNNING or stale run, and why. */
function verdict(s: RunState, force: boolean): { close: boolean; why: string } {
  if (s.status === 'stale') return { close: true, why: s.owner!.why };
  // A live process on this host is never closed under its trainer: stop it instead.
  if (s.owner?.state === 'alive' && s.owner.local) return { close: false, why: `${s.owner.why}; stop it (Ctrl-C) to close the run` };
  if (force) return { close: true, why: `closed with --force (${s.owner?.why ?? 'no owner'})` };
  return { close: false, why: `${s.owner?.why ?? 'no owner'}; --force closes it` };
}

export const runsCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['list', 'clean'] as const, describe: 'list runs, or close stale ones' })
      .positional('run-ids', { type: 'string', array: true, default: [], describe: 'only these runs' })
      .option('experiment', { type: 'string', array: true, default: [], describe: 'only the runs of this experiment (repeatable)' })
      .option('tracking-uri', trackingUriOption)
      .option('stale-after', { type: 'number', default: DEFAULT_STALE_MINUTES, describe: 'minutes without a heartbeat after which a run trained on another host counts as stale' })
      .option('force', { type: 'boolean', default: false, describe: 'clean: also close RUNNING runs whose process cannot be checked (another host, a recent heartbeat, or none recorded)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'clean: say what would be closed, close nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'list: print the runs as JSON' })
      .example('$0 runs list --experiment quickstart', 'every run of an experiment, newest first')
      .example('$0 runs clean', 'close the runs whose process died (kill -9, power loss) as KILLED') as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      if (!(args.staleAfter > 0)) throw new UserError(`--stale-after must be a positive number of minutes, not ${args.staleAfter}`);
      const store = openStore(args.trackingUri, { offlineFallback: false });
      let states = await runStates(store, args.experiment, args.staleAfter);
      if (args.runIds.length) {
        const unknown = args.runIds.filter((id) => !states.some((s) => s.run.info.runId === id));
        if (unknown.length) throw new UserError(`no run ${unknown.join(', ')} in ${store.uri}${args.experiment.length ? ` (experiments ${args.experiment.join(', ')})` : ''}`);
        states = states.filter((s) => args.runIds.includes(s.run.info.runId));
      }
      if (args.action === 'list') {
        if (args.json) {
          const rows = states.map((s) => ({ runId: s.run.info.runId, experiment: s.experiment, runName: s.run.info.runName, status: s.status, startTime: s.run.info.startTime, endTime: s.run.info.endTime ?? null, owner: ownerOf(s.run) ?? null, note: note(s) || null }));
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        } else process.stdout.write(`${table(states)}\n`);
        return;
      }
      const open = states.filter((s) => s.status === 'RUNNING' || s.status === 'stale');
      if (open.length === 0) {
        process.stdout.write(`no RUNNING runs in ${store.uri}\n`);
        return;
      }
      for (const s of open) {
        const { close, why } = verdict(s, args.force);
        const id = s.run.info.runId;
        if (close && !args.dryRun) await closeStaleRun(store, id, why);
        process.stdout.write(`${close ? (args.dryRun ? 'would close' : 'closed as KILLED') : 'left RUNNING'}  ${id}  ${s.experiment} / ${s.run.info.runName}: ${why}\n`);
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
