import { describe, expect, it } from 'vitest';
import { TrackingError } from '../../src/tracking/errors.js';
import { applySearch } from '../../src/tracking/search.js';
import type { Run } from '../../src/tracking/store.js';

function run(runId: string, startTime: number, metrics: Record<string, number>, params: Record<string, string> = {}): Run {
  return {
    info: { runId, experimentId: '1', runName: `name-${runId}`, userId: 'u', status: 'FINISHED', startTime, artifactUri: '', lifecycleStage: 'active' },
    data: { metrics, params, tags: {} },
  };
}

const runs = [
  run('a', 1, { 'val/acc': 0.5, loss: NaN }, { model: 'CNN-small' }),
  run('b', 2, { 'val/acc': 0.9 }, { model: 'mlp' }),
  run('c', 3, {}, { model: "it's" }),
];
const ids = (filter?: string, orderBy?: string[]) => applySearch(runs, { filter, orderBy }).map((r) => r.info.runId);

describe('applySearch', () => {
  it('filters with quoted keys, LIKE/ILIKE, attributes and AND', () => {
    expect(ids('metrics.`val/acc` >= 0.5')).toEqual(['b', 'a']);
    expect(ids('metrics."val/acc" < 0.6 AND params.model LIKE \'CNN%\'')).toEqual(['a']);
    expect(ids("params.model ILIKE 'cnn%'")).toEqual(['a']);
    expect(ids("params.model LIKE 'cnn%'")).toEqual([]);
    expect(ids("params.model = 'it''s'")).toEqual(['c']);
    expect(ids("attributes.run_name = 'name-b' and attributes.start_time > 1")).toEqual(['b']);
    expect(ids('params.model != "mlp"')).toEqual(['c', 'a']);
  });

  it('sorts missing and NaN values last in both directions, ties by newest start', () => {
    expect(ids(undefined, ['metrics.loss DESC'])).toEqual(['c', 'b', 'a']);
    expect(ids(undefined, ['metrics.`val/acc`'])).toEqual(['a', 'b', 'c']);
    expect(ids(undefined, ['params.model DESC'])).toEqual(['b', 'c', 'a']);
  });

  it('names the problem in a bad expression', () => {
    for (const [filter, hint] of [
      ['acc > 1', 'expected metrics.<key>'],
      ['metrics.acc ~ 1', 'expected a comparator'],
      ["metrics.acc > 'x'", 'expected a number'],
      ['params.model = cnn', 'quoted string'],
      ['metrics.acc LIKE 1', 'LIKE does not apply'],
      ["params.a = 'x' or params.b = 'y'", 'expected AND'],
      ["attributes.colour = 'red'", 'unknown attribute'],
    ]) {
      expect(() => ids(filter)).toThrow(TrackingError);
      expect(() => ids(filter)).toThrow(hint);
    }
    expect(() => ids(undefined, ['metrics.acc SIDEWAYS'])).toThrow('expected ASC or DESC');
  });
});
