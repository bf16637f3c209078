import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/config/ajv.js';
import { IssueCollector } from '../../src/config/collector.js';
import { callbacks, type Callback, type EpochLogs, type TrainingControl } from '../../src/registry/callbacks/index.js';

function make(name: string, params: Record<string, unknown> = {}): Callback {
  const component = callbacks.get(name);
  const issues = new IssueCollector([]);
  const p = structuredClone(params);
  if (!checkSchema(component.params, p, [name], issues)) throw new Error(issues.issues.map((i) => i.message).join('; '));
  return component.create(p, undefined);
}

/** A control that records what the callback asks for; "weights" are the epoch they were kept at. */
class FakeControl implements TrainingControl {
  stopped: string | undefined;
  kept: number[] = [];
  restored: number | undefined;
  messages: string[] = [];
  learningRate = 0.1;

  stop(reason: string): void {
    this.stopped ??= reason;
  }
  keepBest(epoch: number): void {
    this.kept.push(epoch);
  }
  restoreBest(): number | undefined {
    return (this.restored = this.kept.at(-1));
  }
  scaleLearningRate(factor: number): void {
    this.learningRate *= factor;
  }
  log(message: string): void {
    this.messages.push(message);
  }
}

const logs = (epoch: number, val_loss: number, val_accuracy = 0.5): EpochLogs => ({ epoch, lr: 0.1, val_loss, val_accuracy, train_loss: 1, train_accuracy: 0.5 });

/** Feeds the val_loss series until the callback stops training; returns the control. */
function drive(cb: Callback, series: number[], control = new FakeControl(), accuracy?: number[]): FakeControl {
  for (const [i, v] of series.entries()) {
    if (control.stopped) break;
    cb.onEpochEnd(logs(i + 1, v, accuracy?.[i]), control);
  }
  cb.onTrainEnd?.(control);
  return control;
}

describe('early_stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch', () => {
    // Keras' count: with patience 2, the second epoch in a row without improvement (epoch 5) stops.
    const c = drive(make('early_stopping', { patience: 2 }), [1.0, 0.8, 0.5, 0.6, 0.7, 0.4, 0.3]);
    expect(c.kept).toEqual([1, 2, 3]);
    expect(c.stopped).toBe('val_loss did not improve for 2 epochs (best 0.5000)');
    expect(c.restored).toBe(3);
    expect(c.messages.join('\n')).toMatch(/restored the weights of epoch 3/);
  });

  it('patience 1 stops on the first epoch without improvement, as Keras does', () => {
    const c = drive(make('early_stopping', { patience: 1 }), [1.0, 0.9, 0.9, 0.1]);
    expect(c.stopped).toBe('val_loss did not improve for 1 epoch (best 0.9000)');
    expect(c.restored).toBe(2);
  });

  it('does not stop while improvements keep coming, but still ends on the best epoch', () => {
    const c = drive(make('early_stopping', { patience: 2 }), [1.0, 1.1, 0.9, 0.95, 0.8]);
    expect(c.stopped).toBeUndefined();
    expect(c.restored).toBe(5);
  });

  it('watches accuracy upwards', () => {
    const c = drive(make('early_stopping', { monitor: 'val_accuracy', patience: 0 }), [1, 1, 1, 1], new FakeControl(), [0.5, 0.7, 0.6, 0.9]);
    expect(c.kept).toEqual([1, 2]);
    expect(c.stopped).toBe('val_accuracy did not improve for 1 epoch (best 0.7000)');
    expect(c.restored).toBe(2);
  });

  it('min_delta: a smaller gain is no improvement', () => {
    const c = drive(make('early_stopping', { patience: 0, min_delta: 0.1 }), [1.0, 0.95, 0.5]);
    expect(c.kept).toEqual([1]);
    expect(c.stopped).toBeDefined();
    expect(c.restored).toBe(1);
  });

  it('restore_best false keeps nothing and restores nothing', () => {
    const c = drive(make('early_stopping', { patience: 0, restore_best: false }), [1.0, 2.0]);
    expect(c.stopped).toBeDefined();
    expect(c.kept).toEqual([]);
    expect(c.restored).toBeUndefined();
  });

  it('a NaN loss never counts as the best', () => {
    const c = drive(make('early_stopping', { patience: 2 }), [0.7, Number.NaN, Number.NaN, 0.1]);
    expect(c.kept).toEqual([1]);
    expect(c.stopped).toBeDefined();
    expect(c.restored).toBe(1);
  });
});

describe('reduce_lr_on_plateau', () => {
  it('multiplies the learning rate by factor after `patience` flat epochs, then waits again', () => {
    const c = new FakeControl();
    const cb = make('reduce_lr_on_plateau', { patience: 2, factor: 0.5 });
    const lrs: number[] = [];
    for (const [i, v] of [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8].entries()) {
      cb.onEpochEnd(logs(i + 1, v), c);
      lrs.push(c.learningRate);
    }
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    expect(c.messages[0]).toMatch(/val_loss plateaued: learning rate now 0\.0500/);
    expect(c.stopped).toBeUndefined();
  });

  it('never goes below min_lr', () => {
    const c = new FakeControl();
    const cb = make('reduce_lr_on_plateau', { patience: 0, factor: 0.1, min_lr: 0.005 });
    for (let i = 1; i <= 6; i++) cb.onEpochEnd(logs(i, 1), c);
    expect(c.learningRate).toBeCloseTo(0.005, 12);
    expect(c.messages).toHaveLength(2);
  });
});
