/** ASHA and the median rule on scripted metric streams: which trials stop, when, and why. */
import { describe, expect, it } from 'vitest';
import { MemoryRungs, schedulers, type Scheduler } from '../../src/registry/schedulers/index.js';
import { percentile } from '../../src/registry/schedulers/scheduler.js';
import { checkSchema } from '../../src/config/ajv.js';
import { IssueCollector } from '../../src/config/collector.js';

/** A scheduler with its params validated (defaults filled in) as the config does. */
function make(name: string, params: Record<string, unknown>): Scheduler {
  const component = schedulers.get(name);
  const issues = new IssueCollector([]);
  expect(checkSchema(component.params, params, ['sweep', 'scheduler', name], issues)).toBe(true);
  return component.create(params, new MemoryRungs());
}

const logs = (epoch: number, val_accuracy: number, val_loss = 1 - val_accuracy) => ({ epoch, val_accuracy, val_loss, train_accuracy: 0, train_loss: 0 });

/** Feeds trials one after another (as --jobs 1 trains them), each epoch by epoch; returns the epoch each stopped at. */
async function play(s: Scheduler, streams: Record<string, number[]>, epochs: number): Promise<Record<string, number>> {
  const stopped: Record<string, number> = {};
  for (const [trial, values] of Object.entries(streams)) {
    for (let e = 1; e <= epochs; e++) {
      stopped[trial] = e;
      if (await s.review(trial, logs(e, values[e - 1]!), epochs)) break;
    }
  }
  return stopped;
}

describe('asha', () => {
  it('reviews at rungs grace * factor^k only, keeps the best 1/factor there, and never stops the first trial at a rung', async () => {
    const s = make('asha', { metric: 'val_accuracy', grace_epochs: 1, reduction_factor: 2 });
    // Rungs at epochs 1, 2 and 4 of 8.
    const stopped = await play(
      s,
      {
        a: [0.5, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7],
        b: [0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4], // below a at rung 1: stopped there
        c: [0.6, 0.55, 0.9, 0.65, 0.9, 0.9, 0.9, 0.9], // above at rung 1, below a's 0.6 at rung 2 (the median of a=0.6 is the cutoff): stopped at 2
        d: [0.9, 0.9, 0.1, 0.8, 0.1, 0.1, 0.1, 0.1], // best at 1, 2 and 4 (epoch 3 is no rung): trains all 8
      },
      8,
    );
    expect(stopped).toEqual({ a: 8, b: 1, c: 2, d: 8 });
  });

  it('minimizes a loss by default (from the metric registry), and says why it stops a trial', async () => {
    const s = make('asha', { metric: 'val_loss', grace_epochs: 2, reduction_factor: 3 });
    expect(await s.review('a', logs(2, 0, 0.3), 9)).toBeUndefined();
    expect(await s.review('b', logs(1, 0, 9), 9)).toBeUndefined(); // epoch 1 is before the grace period
    const reason = await s.review('b', logs(2, 0, 0.5), 9);
    expect(reason).toMatch(/^val_loss 0\.5000 at epoch 2 is outside the best 1\/3 of the 1 other trial at this rung \(cutoff 0\.3000\)/);
    expect(await s.review('c', logs(2, 0, 0.1), 9)).toBeUndefined();
    // Next rung at 6 (2 * 3); the last epoch is never a rung.
    expect(await s.review('c', logs(6, 0, 0.1), 9)).toBeUndefined();
    expect(await s.review('d', logs(6, 0, 0.2), 9)).toMatch(/epoch 6/);
    expect(await s.review('d', logs(9, 0, 5), 9)).toBeUndefined();
  });

  it('mode overrides the direction; a trial reporting a rung again (resumed) replaces its own value', async () => {
    const s = make('asha', { metric: 'val_accuracy', mode: 'min', reduction_factor: 2 });
    expect(await s.review('a', logs(1, 0.2), 4)).toBeUndefined();
    expect(await s.review('b', logs(1, 0.9), 4)).toMatch(/outside/);
    expect(await s.review('b', logs(1, 0.1), 4)).toBeUndefined(); // compared with a alone, not its own earlier 0.9
  });
});

describe('median', () => {
  it('stops a trial worse than the median of the others at the same epoch, once min_trials others reached it', async () => {
    const s = make('median', { metric: 'val_accuracy', grace_epochs: 2, min_trials: 2 });
    const stopped = await play(
      s,
      {
        a: [0.5, 0.6, 0.7, 0.8],
        b: [0.4, 0.5, 0.6, 0.7], // only one other trial so far: never judged
        c: [0.1, 0.56, 0.4, 0.9], // epoch 1 is in grace; 0.56 >= median(0.6, 0.5) = 0.55; 0.4 < median(0.7, 0.6): stopped at 3
        d: [0.9, 0.9, 0.9, 0.1], // 0.1 at the last epoch is not judged (the trial has finished)
      },
      4,
    );
    expect(stopped).toEqual({ a: 4, b: 4, c: 3, d: 4 });
  });
});

it('percentile interpolates between ranks as numpy does', () => {
  expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
  expect(percentile([3], 66.7)).toBe(3);
  expect(percentile([1, 2, 3], 100 * (1 - 1 / 3))).toBeCloseTo(7 / 3, 12);
});
