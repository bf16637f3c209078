/** reproduce(): which path a command names, and what a run with damaged or missing tags gets. */
import { describe, expect, it } from 'vitest';
import { reproduce } from '../../src/rank/reproduce.js';
import type { Run } from '../../src/tracking/index.js';

const run = (id: string, tags: Record<string, string>, name = id): Run => ({
  info: { runId: id, experimentId: '1', runName: name, userId: 'u', status: 'FINISHED', startTime: 0, endTime: 1, artifactUri: '', lifecycleStage: 'active' },
  data: { metrics: {}, params: {}, tags },
});

describe('reproduce', () => {
  it('names the file relative to the working folder; trained in another checkout, by its repository path; else absolutely', () => {
    const here = run('a', { 'exp.file': '/home/ada/exp/experiments/cnn2.yaml', 'exp.sets': '[]', 'mlflow.source.name': 'experiments/cnn2.yaml' });
    expect(reproduce(here, [here], '/home/ada/exp')?.command).toBe('exp run experiments/cnn2.yaml');
    expect(reproduce(here, [here], '/home/ada/exp/experiments')?.command).toBe('exp run cnn2.yaml');
    const elsewhere = run('b', { 'exp.file': '/home/ada/exp-clone/experiments/resnet18.yaml', 'exp.sets': '["train.seed=7"]', 'mlflow.source.name': 'experiments/resnet18.yaml' });
    expect(reproduce(elsewhere, [elsewhere], '/home/ada/exp')?.command).toBe('exp run experiments/resnet18.yaml --set train.seed=7');
    const outside = run('c', { 'exp.file': '/srv/x/my file.yaml', 'exp.sets': '[]', 'mlflow.source.name': '/srv/x/my file.yaml' });
    expect(reproduce(outside, [outside], '/home/ada/exp')?.command).toBe("exp run '/srv/x/my file.yaml'");
  });

  it('gives nothing for a run exp did not make or whose overrides are unreadable, and an exp ensemble for one made on the command line', () => {
    expect(reproduce(run('d', {}), [], '/w')).toBeUndefined();
    expect(reproduce(run('e', { 'exp.file': '/w/a.yaml', 'exp.sets': '{"not": "a list"}' }), [], '/w')).toBeUndefined();
    expect(reproduce(run('f', { 'exp.file': '/w/a.yaml', 'exp.sets': 'train.seed=7' }), [], '/w')).toBeUndefined();
    expect(reproduce(run('g', { 'exp.ensemble': 'id1,id2' }, 'best two'), [], '/w')).toEqual({ command: "exp ensemble id1 id2 --name 'best two'" });
    // A k-fold parent whose folds are not on the board: no command rather than a wrong one.
    expect(reproduce(run('h', { 'exp.kfold': '5' }), [], '/w')).toBeUndefined();
  });
});
