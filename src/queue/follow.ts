import type { Progress } from '../core/progress.js';
import type { Outcome } from '../runner/run-all.js';
import { openQueue, type Enqueued } from './enqueue.js';
import { trialOutcome } from './groups.js';
import type { TrialProgress } from './trial-job.js';

/** A trial's state in words: queued, running on worker X at epoch k/n, retrying, finished, failed, pruned. */
export function describeTrial(state: string, progress: unknown, attempt: number, attempts: number, outcome?: Outcome): string {
  const p = (typeof progress === 'object' && progress !== null ? progress : {}) as Partial<TrialProgress>;
  if (outcome?.status === 'failed') return `failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${outcome.error ?? ''}`;
  if (outcome) return `${outcome.pruned ? `pruned (${outcome.pruned})` : 'finished'}${outcome.metrics?.test_accuracy !== undefined ? `, test_accuracy ${outcome.metrics.test_accuracy.toFixed(4)}` : ''} (run ${outcome.runId})`;
  if (state === 'active') return `running on ${p.worker ?? '?'}${p.epoch ? `, epoch ${p.epoch}/${p.epochs}` : ', starting'}`;
  if (state === 'delayed') return `waiting to be retried (attempt ${attempt} of ${attempts} failed)`;
  return attempt > 0 ? `queued again (after ${attempt} failed attempt${attempt === 1 ? '' : 's'})` : 'queued';
}

/**
 * Follows the trials until each has ended, printing each one's state when it changes; Redis
 * going away pauses the following (said once) and it carries on when Redis is back.
 */
export async function followTrials(url: string, trials: Enqueued[], progress: Progress, pollMs = 1000): Promise<Outcome[]> {
  const { queue, close } = openQueue(url);
  const shown = new Map<string, string>();
  const outcomes = new Map<string, Outcome>();
  for (const t of trials) if (t.state === 'finished before') outcomes.set(t.id, { name: t.name, status: 'skipped', ...(t.runId ? { runId: t.runId } : {}) });
  let unreachable = false;
  try {
    while (outcomes.size < trials.length) {
      try {
        for (const t of trials) {
          if (outcomes.has(t.id)) continue;
          const job = await queue.getJob(t.id);
          const outcome = await trialOutcome(queue, t.id);
          if (outcome) outcomes.set(t.id, { ...outcome, name: t.name });
          const text = job ? describeTrial(await job.getState(), job.progress, job.attemptsMade, job.opts.attempts ?? 1, outcome) : outcome!.error!;
          if (shown.get(t.id) !== text) progress.line(`[${t.name}] ${text}`);
          shown.set(t.id, text);
        }
        if (unreachable) progress.line(`the queue's Redis answers again`);
        unreachable = false;
      } catch (e) {
        if (!unreachable) progress.line(`the queue's Redis does not answer (${e instanceof Error ? e.message : String(e)}): waiting for it; the workers carry on when it is back`);
        unreachable = true;
      }
      if (outcomes.size < trials.length) await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await close();
  }
  return trials.map((t) => outcomes.get(t.id)!);
}
