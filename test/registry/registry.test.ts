import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { describeParams } from '../../src/cli/describe-params.js';
import { augmentations, builtinArchitectures, callbacks, classWeights, layers, losses, optimizers, Registry, schedules, ttaViews, UnknownNameError, type Entry } from '../../src/registry/index.js';

const entry = (name: string): Entry => ({ name, summary: `the ${name}`, params: Type.Object({}) });

describe('Registry', () => {
  it('gets a registered entry and lists names sorted', () => {
    const r = new Registry<Entry>('widget');
    const b = r.register(entry('beta'));
    r.register(entry('alpha'));
    expect(r.get('beta')).toBe(b);
    expect(r.has('alpha')).toBe(true);
    expect(r.has('gamma')).toBe(false);
    expect(r.names()).toEqual(['alpha', 'beta']);
    expect(r.entries().map((e) => e.name)).toEqual(['alpha', 'beta']);
  });

  it('throws on an unknown name, naming the registry and the near miss and listing what exists', () => {
    const r = new Registry<Entry>('widget');
    for (const n of ['sprocket', 'gear', 'cog']) r.register(entry(n));
    let error: unknown;
    try {
      r.get('sprokcet');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownNameError);
    const e = error as UnknownNameError;
    expect(e.message).toBe("no widget named 'sprokcet' (did you mean 'sprocket'?); registered widgets: cog, gear, sprocket");
    expect([e.registry, e.wanted, e.suggestion, e.known]).toEqual(['widget', 'sprokcet', 'sprocket', ['cog', 'gear', 'sprocket']]);
    expect(() => r.get('zzzzzzzz')).toThrow("no widget named 'zzzzzzzz'; registered widgets: cog, gear, sprocket");
  });

  it('writes the registry kind in the plural correctly', () => {
    expect(() => losses.get('hinge')).toThrow(/; registered losses: binary_crossentropy, categorical_crossentropy, categorical_focal, focal$/);
    expect(() => classWeights.get('even')).toThrow(/; registered class-weight strategies: balanced, none, sqrt_balanced$/);
  });

  it('refuses to register a name twice', () => {
    const r = new Registry<Entry>('widget');
    r.register(entry('gear'));
    expect(() => r.register(entry('gear'))).toThrow("widget 'gear' is registered twice");
    expect(() => builtinArchitectures().register(builtinArchitectures().get('cnn1'))).toThrow("architecture 'cnn1' is registered twice");
  });

  it('gives a fresh architecture registry per call, so YAML models do not leak between experiments', () => {
    const a = builtinArchitectures();
    a.register({ ...a.get('cnn1'), name: 'extra' });
    expect(builtinArchitectures().has('extra')).toBe(false);
  });

  it('has the built-in components, each with a summary and a params schema', () => {
    expect(builtinArchitectures().names()).toEqual(['cnn1', 'cnn2', 'cnn4']);
    expect(optimizers.names()).toEqual(['adam', 'adamw', 'rmsprop', 'sgd']);
    expect(schedules.names()).toEqual(['constant', 'cosine', 'exponential', 'one_cycle', 'step']);
    expect(ttaViews.names()).toEqual(['hflip', 'rotate', 'shift', 'zoom']);
    expect(callbacks.names()).toEqual(['early_stopping', 'reduce_lr_on_plateau']);
    for (const r of [layers, augmentations, optimizers, schedules, losses, callbacks, ttaViews, classWeights, builtinArchitectures()] as Registry<Entry>[]) {
      for (const e of r.entries()) {
        expect(e.summary.length, `${r.kind} ${e.name}`).toBeGreaterThan(0);
        expect(e.params.type, `${r.kind} ${e.name}`).toBe('object');
      }
    }
  });
});

describe('describeParams', () => {
  it('shows each param with its type, bounds, default or required, and description', () => {
    expect(describeParams(layers.get('dense').params)).toEqual([
      'units: integer >= 1 (required)  - number of outputs',
      'activation: linear|relu|relu6|sigmoid|hard_sigmoid|softmax|tanh|elu|leaky_relu|gelu|swish|hard_swish = "linear"  - activation applied to the output',
      'bias: boolean = true  - add a learned bias',
    ]);
    expect(describeParams(builtinArchitectures().get('cnn4').params)[0]).toBe('filters: list of 4 integer >= 1 = [16,32,64,128]  - filters of the four conv blocks');
  });
});
