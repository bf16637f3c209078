import type { Argv, CommandModule } from 'yargs';
import { loadAndValidate } from '../../config/validate.js';
import { describePlan } from '../../runner/plan.js';
import { reportError } from '../errors.js';
import { overridesFrom, setOption } from '../overrides-option.js';

interface Args {
  files: string[];
  set: string[];
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <files..>',
  describe: 'validate, train, evaluate and track each experiment',
  builder: (y: Argv) => y.positional('files', { type: 'string', array: true, demandOption: true }).option('set', setOption) as unknown as Argv<Args>,
  handler: (args) => {
    // Validate every file before the first one starts, so a typo in the last fails fast.
    try {
      const overrides = overridesFrom(args.set);
      const experiments = args.files.map((f) => loadAndValidate(f, overrides));
      for (const exp of experiments) process.stdout.write(`${describePlan(exp)}\n\n`);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
