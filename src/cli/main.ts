import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { compareCommand } from './commands/compare.js';
import { ensembleCommand } from './commands/ensemble.js';
import { dataCommand } from './commands/data-inspect.js';
import { listCommand } from './commands/list.js';
import { predictCommand } from './commands/predict.js';
import { rankCommand } from './commands/rank.js';
import { reportCommand } from './commands/report.js';
import { resumeCommand } from './commands/resume.js';
import { runCommand } from './commands/run.js';
import { runsCommand } from './commands/runs.js';
import { serveCommand } from './commands/serve.js';
import { syncCommand } from './commands/sync.js';
import { queueCommand } from './commands/queue.js';
import { workerCommand } from './commands/worker.js';
import { validateCommand } from './commands/validate.js';
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
      .command(runCommand)
      .command(resumeCommand)
      .command(validateCommand)
      .command(listCommand)
      .command(rankCommand)
      .command(compareCommand)
      .command(ensembleCommand)
      .command(runsCommand)
      .command(reportCommand)
      .command(predictCommand)
      .command(serveCommand)
      .command(dataCommand)
      .command(syncCommand)
      .command(workerCommand)
      .command(queueCommand)
      .demandCommand(1, 'name a command: run, resume, validate, list, rank, compare, runs, sync, worker, queue, report, predict, serve, ensemble or data')
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
