import { availableParallelism } from 'node:os';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Progress } from '../core/progress.js';
import { keepOpen, type Ending } from '../runner/open-runs.js';
import type { Outcome } from '../runner/run-all.js';
import { createScheduler } from '../runner/scheduler.js';
import type { TrialReview } from '../runner/trial.js';
import { startWorker, type WorkerHandle } from '../runner/workers.js';
import { redisOptions } from './connection.js';
import { endGroupIfDone } from './groups.js';
import { RedisRungs } from './rungs.js';
import { MAX_STALLS, QUEUE_NAME, timings, type TrialJob, type TrialProgress } from './trial-job.js';

export interface QueueWorkerOptions {
  url: string;
  /** Trials trained at once, each in its own process. */
  jobs: number;
  name: string;
  /** ONNX Runtime threads per trial; default: the cores shared among the jobs. */
  threads?: number;
  progress: Progress;
}

const result = (o: Outcome): string => {
  const acc = o.metrics?.test_accuracy;
  return `${o.status === 'skipped' ? 'already finished' : o.pruned ? 'pruned' : 'finished'}${o.verdict ? `, ${o.verdict}` : ''}${acc !== undefined ? `, test_accuracy ${acc.toFixed(4)}` : ''} (run ${o.runId})`;
};

/**
 * `exp worker`: takes trials from the queue and trains each in a child process of its own (the
 * same worker as `exp run --jobs`: training blocks its event loop, while this process keeps
 * renewing the trial's lock), `jobs` at once, until stopped. Stopped by a signal, it stops its
 * trials (each closed KILLED with its checkpoint) and hands them back to the queue, where
 * another worker resumes them in the same MLflow run.
 */
export function runQueueWorker(o: QueueWorkerOptions): Promise<void> {
  const { label, ...connection } = redisOptions(o.url);
  const say = (text: string) => o.progress.line(`${new Date().toISOString().slice(11, 19)} ${o.name}: ${text}`);
  const redis = new Redis(connection);
  const queue = new Queue(QUEUE_NAME, { connection });
  const threads = o.threads ?? Math.max(1, Math.floor(availableParallelism() / o.jobs));
  const active = new Map<string, WorkerHandle>();
  let stopping: Ending | undefined;

  const train = async (job: Job<TrialJob, Outcome>, token?: string): Promise<Outcome> => {
    const { data } = job;
    say(`took ${data.name} (job ${job.id}, attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1})`);
    const report = (p: TrialProgress) => job.updateProgress(p as unknown as object).catch(() => undefined);
    await report({ worker: o.name, epochs: data.epochs });
    const scheduler = data.scheduler && data.task.parentRunId ? createScheduler(data.scheduler, new RedisRungs(redis, data.task.parentRunId)) : undefined;
    const review: TrialReview = {
      review: async (logs, epochs) => {
        await report({ worker: o.name, epoch: logs.epoch, epochs });
        return scheduler?.review(data.name, logs, epochs);
      },
    };
    const handle = startWorker({ ...data.task, threads }, data.name, o.progress, review);
    active.set(job.id!, handle);
    let outcome: Outcome;
    try {
      outcome = await handle.outcome;
    } catch (e) {
      outcome = { name: data.name, status: 'failed', error: e instanceof Error ? e.message : String(e) };
    } finally {
      active.delete(job.id!);
    }
    if (stopping) {
      // Its run is closed KILLED with its checkpoint: the next worker to take it resumes it.
      await job.moveToWait(token);
      say(`handed ${data.name} back to the queue`);
      throw new WaitingError();
    }
    if (outcome.status === 'failed') {
      say(`${data.name} failed: ${outcome.error ?? 'no error given'}`);
      throw new Error(outcome.error ?? 'the trial failed');
    }
    say(`${data.name} ${result(outcome)}`);
    return outcome;
  };

  const t = timings();
  const worker = new Worker<TrialJob, Outcome>(QUEUE_NAME, train, {
    connection,
    concurrency: o.jobs,
    lockDuration: t.lockDuration,
    stalledInterval: t.stalledInterval,
    maxStalledCount: MAX_STALLS,
  });
  const endGroups = (job: Job<TrialJob>) => {
    for (const parent of job.data.groups ?? []) endGroupIfDone(queue, redis, parent, o.progress).catch((e: unknown) => say(`could not end parent run ${parent}: ${e instanceof Error ? e.message : String(e)}`));
  };
  worker.on('completed', endGroups);
  worker.on('failed', (job) => {
    if (!job) return;
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) {
      say(`${job.data.name} FAILED after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}`);
      endGroups(job);
    } else say(`${job.data.name} will be retried (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1} failed)`);
  });
  worker.on('stalled', (id) => say(`job ${id} stalled (its worker stopped renewing its lock): back on the queue for another worker`));
  // Redis going away is said once per cause; ioredis reconnects and the worker carries on.
  let lastError = '';
  const onError = (e: Error) => {
    if (e.message === lastError) return;
    lastError = e.message;
    say(`queue ${label}: ${e.message} (reconnecting)`);
  };
  worker.on('error', onError);
  queue.on('error', onError);
  redis.on('error', onError);
  redis.on('ready', () => {
    if (lastError) say(`queue ${label}: connected again`);
    lastError = '';
  });
  say(`waiting for trials on ${label} (${o.jobs} at once, ${threads} thread${threads === 1 ? '' : 's'} each)`);

  return new Promise((resolve) => {
    keepOpen({
      label: `worker ${o.name}`,
      say: (text) => o.progress.line(text),
      close: async (ending) => {
        stopping = ending;
        // No new trials from here; the running ones are stopped, then handed back by their processors.
        const closing = worker.close();
        await Promise.all([...active.values()].map((h) => h.stop(ending.status === 'KILLED' && ending.signal ? ending.signal : 'SIGTERM')));
        await closing;
        await Promise.allSettled([queue.close(), redis.quit()]);
        resolve();
      },
    });
  });
}
