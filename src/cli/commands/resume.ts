import type { Argv, CommandModule } from 'yargs';
import { resumeRun } from '../../runner/resume.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../errors.js';
import { Progress } from '../progress.js';
import { checkRunId } from '../run-id.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  runId: string;
  trackingUri?: string;
  quiet: boolean;
}

export const resumeCommand: CommandModule<object, Args> = {
  command: 'resume <run-id>',
  describe: 'continue an interrupted run from its last checkpoint, in the same MLflow run',
  builder: (y: Argv) =>
    y
      .positional('run-id', { type: 'string', demandOption: true })
      .option('tracking-uri', trackingUriOption)
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      await resumeRun(openStore(args.trackingUri), checkRunId(args.runId), new Progress(process.stdout, args.quiet));
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
