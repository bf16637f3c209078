import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Outcome } from './run-all.js';
import type { Progress } from '../cli/progress.js';
import { keepOpen } from './open-runs.js';

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
}

// Compiled, the worker sits beside this file; run from the TypeScript sources (tests), it is the build's.
const beside = new URL('./worker.js', import.meta.url);
const WORKER = existsSync(beside) ? beside : new URL('../../dist/runner/worker.js', import.meta.url);

/**
 * Trains one run in a child process, relaying its output prefixed with the run's name.
 * The worker validates the same files again, so nothing but this small task crosses over.
 */
export function runInWorker(task: WorkerTask, name: string, progress: Progress): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // Detached (its own process group): a terminal's Ctrl-C or hang-up reaches this process only,
    // which passes it on once, so the worker closes its run instead of exiting at a second signal.
    const child = fork(WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true, env: { ...process.env, EXP_THREADS: String(task.threads) } });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const forget = keepOpen({
      label: `the run ${name} (worker)`,
      say: (text) => progress.line(text),
      close: async (ending) => {
        child.kill(ending.status === 'KILLED' && ending.signal ? ending.signal : 'SIGTERM');
        await exited;
      },
    });
    let outcome: Outcome | undefined;
    const stderr: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => progress.line(`[${name}] ${line}`));
    createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
    child.on('message', (message) => (outcome = message as Outcome));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      forget();
      if (outcome) resolve({ ...outcome, name });
      else reject(new Error(stderr.join('\n') || `worker for ${name} exited with ${signal ?? code}`));
    });
    child.send(task);
  });
}
