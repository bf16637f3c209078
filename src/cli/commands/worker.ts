import { hostname } from 'node:os';
import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { redisOptions } from '../../queue/connection.js';
import { runQueueWorker } from '../../queue/queue-worker.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { Progress } from '../../core/progress.js';

interface Args {
  queue: string;
  jobs: number;
  name?: string;
  threads?: number;
}

export const workerCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'the Redis the trials are on: redis://host:6379[/db]' })
      .option('jobs', { type: 'number', default: 1, describe: 'trials trained at once, each in its own process with a share of the cores' })
      .option('threads', { type: 'number', describe: 'threads per trial (default: the cores shared among --jobs)' })
      .option('name', { type: 'string', describe: 'what the queue shows for this worker (default host-pid)' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      redisOptions(args.queue);
      if (!Number.isInteger(args.jobs) || args.jobs < 1) throw new UserError(`--jobs must be a whole number >= 1 (got ${args.jobs})`);
      if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1)) throw new UserError(`--threads must be a whole number >= 1 (got ${args.threads})`);
      // Runs until SIGINT/SIGTERM: the exit guard stops the trials, hands them back, and exits.
      await runQueueWorker({ url: args.queue, jobs: args.jobs, name: args.name ?? `${hostname()}-${process.pid}`, ...(args.threads ? { threads: args.threads } : {}), progress: new Progress(process.stdout) });
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
