import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { displayPath } from '../../config/locate.js';
import { loadRuns } from '../../config/expand.js';
import { reportError } from '../../core/report-error.js';
import { setOption } from '../overrides-option.js';
import { overridesFrom } from '../../config/overrides.js';

interface Args {
  files: string[];
  set: string[];
  data: boolean;
}

export const validateCommand: CommandBody<Args> = {
  builder: (y: Argv) => y.positional('files', { type: 'string', array: true, demandOption: true }).option('set', setOption).option('data', {
      type: 'boolean',
      default: true,
      describe: 'check that the data folder exists and fits the experiment; --no-data checks the files alone (CI without the data)',
    }) as unknown as Argv<Args>,
  handler: (args) => {
    let failed = 0;
    for (const file of args.files) {
      try {
        const { runs } = loadRuns(file, overridesFrom(args.set), { requireData: args.data });
        process.stdout.write(`${displayPath(file)}: ok${runs.length > 1 ? ` (a sweep of ${runs.length} runs)` : ''}\n`);
      } catch (e) {
        failed++;
        reportError(e);
      }
    }
    if (failed > 0) process.exitCode = 1;
  },
};
