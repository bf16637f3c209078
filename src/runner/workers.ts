import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Outcome } from './run-all.js';
import type { Progress } from '../core/progress.js';
import type { EpochRecord } from '../train/loop.js';
import { keepOpen, type Ending } from './open-runs.js';
import type { TrialReview } from './trial.js';

/** What a worker process needs to find and run one run: the same files and overrides as the parent. */
export interface WorkerTask {
  files: string[];
  overrides: string[];
  trackingUri?: string;
  fileIndex: number;
  runIndex: number;
  parentRunId?: string;
  rerun: boolean;
  /** ONNX Runtime threads for this worker (the cores shared among the jobs). */
  threads: number;
  /** The run identity the sender resolved: a worker whose files or data resolve to another refuses the run. */
  identity?: string;
  /** Set when a scheduler reviews this trial's epochs: the worker asks before each next epoch. */
  reviewed?: boolean;
}

/** Worker -> parent: an epoch to review, or the run's outcome. Parent -> worker: the task, then each review's answer. */
export type WorkerMessage = { kind: 'epoch'; logs: EpochRecord; epochs: number } | { kind: 'outcome'; outcome: Outcome };
export type ReviewAnswer = { kind: 'review'; stop?: string };

// Compiled by tsc, the worker sits beside this file; bundled (dist/bundle/, one level down as dist/runner/ is)
// or run from the TypeScript sources (tests), it is tsc's: the bundle has no worker entry, as a worker loads tfjs anyway.
const beside = new URL('./worker.js', import.meta.url);
const WORKER = existsSync(beside) ? beside : new URL('../../dist/runner/worker.js', import.meta.url);

export interface WorkerHandle {
  pid: number | undefined;
  outcome: Promise<Outcome>;
  /** Stops the run: the worker closes it as KILLED (checkpoint kept) and exits; resolves once it has. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts one run in a child process, relaying its output prefixed with the run's name and
 * its epochs to `trial`, if any. The worker validates the same files again, so nothing but
 * this small task crosses over.
 */
export function startWorker(task: WorkerTask, name: string, progress: Progress, trial?: TrialReview): WorkerHandle {
  // Detached (its own process group): a terminal's Ctrl-C or hang-up reaches this process only,
  // which passes it on once, so the worker closes its run instead of exiting at a second signal.
  const child: ChildProcess = fork(WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true, env: { ...process.env, EXP_THREADS: String(task.threads) } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping = false;
  const outcome = new Promise<Outcome>((resolve, reject) => {
    let result: Outcome | undefined;
    const stderr: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => progress.line(`[${name}] ${line}`));
    createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'outcome') result = message.outcome;
      else {
        void (trial ? trial.review(message.logs, message.epochs) : Promise.resolve(undefined)).then(
          (stop) => child.connected && child.send({ kind: 'review', ...(stop ? { stop } : {}) } satisfies ReviewAnswer),
          // The scheduler being unreachable is no reason to lose the trial: it goes on.
          () => child.connected && child.send({ kind: 'review' } satisfies ReviewAnswer),
        );
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result) resolve({ ...result, name });
      else reject(new Error(stderr.join('\n') || `worker for ${name} exited with ${signal ?? code}${stopping ? ' (stopped)' : ''}`));
    });
  });
  child.send({ ...task, reviewed: trial !== undefined });
  return {
    pid: child.pid,
    outcome,
    stop: async (signal = 'SIGTERM') => {
      stopping = true;
      child.kill(signal);
      await exited;
    },
  };
}

/** Trains one run in a child process (see startWorker), closed with this process on any way out. */
export function runInWorker(task: WorkerTask, name: string, progress: Progress, trial?: TrialReview): Promise<Outcome> {
  const worker = startWorker(task, name, progress, trial);
  const forget = keepOpen({
    label: `the run ${name} (worker)`,
    say: (text) => progress.line(text),
    close: (ending: Ending) => worker.stop(ending.status === 'KILLED' && ending.signal ? ending.signal : 'SIGTERM'),
  });
  return worker.outcome.finally(forget);
}
