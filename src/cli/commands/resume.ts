import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { resumeRun } from '../../runner/resume.js';
import { offlineNotice, openStore, resolveTrackingUri } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { resolveRunId } from '../../tracking/resolve-run.js';
import { Progress } from '../../core/progress.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  runId: string;
  trackingUri?: string;
  quiet: boolean;
}

export const resumeCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('run-id', { type: 'string', demandOption: true, describe: 'the run: its id, the start of its id, or its name' })
      .option('tracking-uri', trackingUriOption)
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      const store = openStore(args.trackingUri, { onOffline: offlineNotice(resolveTrackingUri(args.trackingUri)) });
      await resumeRun(store, await resolveRunId(store, args.runId), new Progress(process.stdout, args.quiet));
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
