import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { checkReachable } from '../../queue/connection.js';
import { openQueue } from '../../queue/enqueue.js';
import { describeTrial } from '../../queue/follow.js';
import { endGroupsDone } from '../../queue/groups.js';
import { Progress } from '../../core/progress.js';
import type { TrialJob } from '../../queue/trial-job.js';
import type { Outcome } from '../../runner/run-all.js';
import { printable } from '../../text/escape.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';

interface Args {
  action: 'status' | 'drain' | 'retry';
  ids: string[];
  queue: string;
}

const STATES = ['active', 'waiting', 'delayed', 'prioritized', 'failed', 'completed'] as const;

export const queueCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['status', 'drain', 'retry'] as const })
      .positional('ids', { type: 'string', array: true, default: [], describe: 'for retry: the job ids (exp queue status shows them), or all' })
      .option('queue', { type: 'string', demandOption: true, describe: 'the Redis the trials are on: redis://host:6379[/db]' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      await checkReachable(args.queue);
      const { queue, redis, close } = openQueue(args.queue);
      try {
        if (args.action === 'drain') {
          const waiting = await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized');
          await queue.drain(true);
          await endGroupsDone(queue, redis, new Progress(process.stdout));
          process.stdout.write(`dropped ${waiting} trial${waiting === 1 ? '' : 's'} not started; running ones go on (their parents end when they do)\n`);
        } else if (args.action === 'retry') {
          if (args.ids.length === 0) throw new UserError('name the failed trials to retry: exp queue retry <job-id..> (or all)');
          const failed = await queue.getJobs(['failed']);
          const chosen = args.ids.includes('all') ? failed : args.ids.map((id) => failed.find((j) => j.id === id) ?? id);
          for (const job of chosen) {
            if (typeof job === 'string') throw new UserError(`no failed trial with job id ${job} (exp queue status lists them)`);
            await job.retry('failed');
            process.stdout.write(`retrying ${printable((job.data as TrialJob).name)} (${job.id})\n`);
          }
        } else {
          const counts = await queue.getJobCounts(...STATES);
          process.stdout.write(`${STATES.map((s) => `${counts[s] ?? 0} ${s}`).join(', ')}\n`);
          for (const state of STATES) {
            for (const job of await queue.getJobs([state])) {
              const outcome = state === 'completed' ? (job.returnvalue as Outcome) : state === 'failed' ? { name: '', status: 'failed' as const, error: job.failedReason } : undefined;
              process.stdout.write(`  ${job.id}  ${printable((job.data as TrialJob).name)}: ${describeTrial(state, job.progress, job.attemptsMade, job.opts.attempts ?? 1, outcome)}\n`);
            }
          }
        }
      } finally {
        await close();
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
