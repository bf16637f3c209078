import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS, lazyCommand } from './commands.js';
import { reportError } from '../core/report-error.js';
import { installExitGuard } from '../runner/exit-guard.js';

// Signals, a closed stdout (`exp run ... | head`) and crashes close the open runs before exit.
installExitGuard();

/** Exit codes: 0 success, 1 invalid input or failed run, 2 usage error. */
export async function main(argv: string[]): Promise<void> {
  try {
    await yargs(argv)
      .scriptName('exp')
      .usage('$0 <command> [options]\n\nDeclarative deep-learning experiments: YAML in, trained, evaluated and ranked models out.')
      .command(COMMANDS.map(lazyCommand))
      .demandCommand(1, `name a command: ${COMMANDS.map((c) => c.command.split(' ')[0]).join(', ')}`)
      .strict()
      .recommendCommands()
      .help()
      .version()
      .fail((message, error) => {
        // Usage errors are yargs's own (a YError, or a command's failed .check(), which parseAsync hands
        // over as the message string): exit 2. Any other error is exp's and goes on to reportError.
        if (error instanceof Error && error.name !== 'YError') throw error;
        process.stderr.write(`exp: ${message ?? String(error)}\nSee 'exp --help'.\n`);
        process.exit(2);
      })
      .parseAsync();
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

await main(hideBin(process.argv));
