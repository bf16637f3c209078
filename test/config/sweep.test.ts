import { afterEach, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { ExperimentDir, headlines, issuesOf, shown, VALID } from '../helpers/experiment-files.js';

let dir: ExperimentDir;
afterEach(() => dir?.cleanup());

const write = (sweep: string) => {
  dir = new ExperimentDir();
  return dir.write('exp.yaml', `${VALID}sweep:\n${sweep}`);
};

describe('sweep', () => {
  it('expands a grid into the cartesian product, each run named for its values', () => {
    const f = write('  grid:\n    train.optimizer.lr: [0.001, 0.0003]\n    model.params.filters: [[16, 32], [32, 64]]\n');
    const { runs, sweep } = loadRuns(f);
    expect(runs.map((r) => r.config.name)).toEqual([
      'n lr=0.001 filters=[16,32]',
      'n lr=0.001 filters=[32,64]',
      'n lr=0.0003 filters=[16,32]',
      'n lr=0.0003 filters=[32,64]',
    ]);
    expect(runs.map((r) => [(r.config.train.optimizer as { lr: number }).lr, r.config.model.params?.filters])).toEqual([
      [0.001, [16, 32]],
      [0.001, [32, 64]],
      [0.0003, [16, 32]],
      [0.0003, [32, 64]],
    ]);
    expect(sweep?.values).toHaveLength(4);
    expect(runs.every((r) => !('sweep' in r.config))).toBe(true);
  });

  it('samples random values from lists and ranges, the same for the same seed', () => {
    const text = '  random:\n    n: 5\n    seed: 7\n    params:\n      train.optimizer.lr: {min: 0.0001, max: 0.01, log: true}\n      train.batch_size: [8, 16, 32]\n';
    const first = loadRuns(write(text)).runs.map((r) => r.config.train);
    const again = loadRuns(write(text)).runs.map((r) => r.config.train);
    expect(first).toHaveLength(5);
    expect(again).toEqual(first);
    for (const t of first) {
      const lr = (t.optimizer as { lr: number }).lr;
      expect(lr).toBeGreaterThanOrEqual(0.0001);
      expect(lr).toBeLessThanOrEqual(0.01);
      expect([8, 16, 32]).toContain(t.batch_size);
    }
    const other = loadRuns(write(text.replace('seed: 7', 'seed: 8'))).runs.map((r) => r.config.train);
    expect(other).not.toEqual(first);
  });

  it('validates every expanded run before any starts, reporting a bad value as the sweep value', () => {
    const f = write('  grid:\n    train.epochs: [2, 0, -1]\n');
    expect(headlines(issuesOf(() => loadRuns(f)))).toEqual([
      'sweep train.epochs=0: train.epochs must be >= 1 (got 0)',
      'sweep train.epochs=-1: train.epochs must be >= 1 (got -1)',
    ]);
  });

  it('reports a malformed sweep block at its line', () => {
    const f = write('  grdi:\n    train.epochs: [1]\n');
    expect(headlines(issuesOf(() => loadRuns(f)))[0]).toBe(`${shown(f)}:11:3: unknown key 'grdi' in sweep (did you mean 'grid'?)`);
  });

  it('lets --set win over a swept value', () => {
    const f = write('  grid:\n    train.epochs: [2, 3]\n');
    const { runs } = loadRuns(f, parseOverrides(['train.epochs=1']).overrides);
    expect(runs.map((r) => r.config.train.epochs)).toEqual([1, 1]);
  });
});
