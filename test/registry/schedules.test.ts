import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { schedules } from '../../src/registry/schedules/index.js';

/** The schedule's rate at steps 0..n-1, for a run of `epochs` epochs of `stepsPerEpoch` steps at base lr. */
function rates(name: string, params: Record<string, unknown>, lr: number, stepsPerEpoch: number, epochs: number): number[] {
  const s = schedules.get(name);
  const schedule = s.create(Value.Default(s.params, params), { lr, stepsPerEpoch, epochs });
  return Array.from({ length: stepsPerEpoch * epochs }, (_, i) => schedule(i));
}

const expectRates = (got: number[], want: number[]) => {
  expect(got).toHaveLength(want.length);
  got.forEach((v, i) => expect(v, `step ${i}`).toBeCloseTo(want[i]!, 12));
};

describe('learning-rate schedules, per step, against values computed by hand', () => {
  it('constant', () => expectRates(rates('constant', {}, 0.1, 2, 2), [0.1, 0.1, 0.1, 0.1]));

  it('step: times gamma every step_size epochs', () => {
    // 2 steps per epoch, decay every 2 epochs: epochs 0-1 at 0.1, 2-3 at 0.05, 4 at 0.025.
    expectRates(rates('step', { step_size: 2, gamma: 0.5 }, 0.1, 2, 5), [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]);
  });

  it('exponential: gamma per epoch, smoothly per step', () => {
    expectRates(rates('exponential', { gamma: 0.81 }, 1, 2, 2), [1, 0.9, 0.81, 0.729]);
  });

  it('cosine: linear warmup, then half a cosine to min_lr at the last step', () => {
    // 2 steps per epoch, 3 epochs, 1 warmup epoch: steps 0-1 warm up (0.5, 1), steps 2-5 anneal over 3 intervals.
    const c = (k: number) => 0.1 + (0.9 * (1 + Math.cos((Math.PI * k) / 3))) / 2;
    expectRates(rates('cosine', { warmup_epochs: 1, min_lr: 0.1 }, 1, 2, 3), [0.5, 1, c(0), c(1), c(2), c(3)]);
    expect(rates('cosine', {}, 1, 4, 1).at(-1)).toBeCloseTo(0, 12);
  });

  it("one_cycle: PyTorch OneCycleLR's values", () => {
    // total 10, pct_start 0.3: peak at step 2; initial 1/25 = 0.04, last 0.04/1e4.
    const up = (k: number) => 1 + ((0.04 - 1) * (1 + Math.cos((Math.PI * k) / 2))) / 2;
    const down = (k: number) => 4e-6 + ((1 - 4e-6) * (1 + Math.cos((Math.PI * k) / 7))) / 2;
    const want = [up(0), up(1), up(2), ...[1, 2, 3, 4, 5, 6, 7].map(down)];
    expectRates(rates('one_cycle', { max_lr: 1 }, 0.001, 5, 2), want);
    expect(want[0]).toBeCloseTo(0.04, 12);
    expect(want[2]).toBeCloseTo(1, 12);
    // max_lr defaults to the optimizer's rate.
    expect(Math.max(...rates('one_cycle', {}, 0.01, 5, 2))).toBeCloseTo(0.01, 12);
  });
});
