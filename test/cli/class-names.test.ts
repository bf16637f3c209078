/**
 * Class folders named with non-ASCII letters, an emoji and punctuation: `exp validate` says how
 * targets name them, and `exp run` completes into a file store whose every key MLflow accepts;
 * and the class counts `exp run` warns about.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classKey } from '../../src/data/class-keys.js';
import { validateKey } from '../../src/tracking/validation.js';
import { writeDataset } from '../data/fixtures.js';
import { TempDir, tinyYaml } from '../record/fixtures.js';
import { ensureBuilt, exp } from './spawn-exp.js';

const CLASSES = ['A+B', 'NORMÁL 😷'];
let dir: TempDir;
beforeAll(async () => {
  ensureBuilt();
  dir = new TempDir('exp-cli-classes-');
  await writeDataset(dir.path('data'), { train: { [CLASSES[0]!]: 8, [CLASSES[1]!]: 8 }, test: { [CLASSES[0]!]: 3, [CLASSES[1]!]: 3 } });
});
afterAll(() => dir.cleanup());

/** Every key file (params, tags, metrics) under a run folder, as the key MLflow reads from its path. */
function keysUnder(root: string, rel = ''): string[] {
  return readdirSync(path.join(root, rel)).flatMap((name) => {
    const key = rel ? `${rel}/${name}` : name;
    return statSync(path.join(root, key)).isDirectory() ? keysUnder(root, key) : [key];
  });
}

describe('class names that are no MLflow key', () => {
  it('validate points a target written with the class name at the class key', async () => {
    const yaml = tinyYaml({ dataDir: dir.path('data'), validation: '{from: train, fraction: 0.25}', extra: `targets:\n  recall_A+B: '>= 0'\n` });
    const r = await exp(['validate', dir.write('by-name.yaml', yaml)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`unknown target 'recall_A+B' (did you mean 'recall_${classKey('A+B')}'?)`);
  });

  it('exp run completes to a file store, logging each class under its key', async () => {
    const [ab, normal] = CLASSES.map(classKey) as [string, string];
    const yaml = tinyYaml({
      experiment: 'keys',
      dataDir: dir.path('data'),
      validation: '{from: train, fraction: 0.25}',
      extra: `targets:\n  recall_${ab}: '>= 0'\n  recall: '>= 0'\n`,
    }).replace('class_weight: balanced', `class_weight: {"A+B": 1, "NORMÁL 😷": 2}`);
    const runs = dir.path('runs');
    const r = await exp(['run', dir.write('keys.yaml', yaml), '--tracking-uri', runs], { cwd: dir.root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`class keys in metric names and targets (MLflow keys take letters, digits, _ - . and spaces): 'A+B' as ${ab}, 'NORMÁL 😷' as ${normal}`);
    const expDir = readdirSync(runs).find((e) => e !== '0' && !e.startsWith('.') && statSync(path.join(runs, e)).isDirectory())!;
    const [runId] = readdirSync(path.join(runs, expDir)).filter((e) => statSync(path.join(runs, expDir, e)).isDirectory());
    const run = path.join(runs, expDir, runId!);
    expect(readFileSync(path.join(run, 'meta.yaml'), 'utf8')).toMatch(/^status: 3$/m); // FINISHED
    const metrics = keysUnder(path.join(run, 'metrics'));
    expect(metrics).toEqual(expect.arrayContaining([`test_recall_${ab}`, `test_recall_${normal}`, `test_support_${normal}`]));
    expect(readFileSync(path.join(run, 'metrics', `test_support_${normal}`), 'utf8')).toMatch(/^\d+ 3 0\n$/);
    const params = keysUnder(path.join(run, 'params'));
    expect(params).toEqual(expect.arrayContaining([`class_weight.${ab}`, `class_weight.${normal}`, `targets.recall_${ab}`]));
    expect(readFileSync(path.join(run, 'params', `class_weight.${normal}`), 'utf8')).toBe('2');
    expect(keysUnder(path.join(run, 'tags'))).toContain(`exp.target.recall_${ab}`);
    for (const [kind, keys] of [['metric', metrics], ['param', params], ['tag', keysUnder(path.join(run, 'tags'))]] as const) {
      for (const key of keys) expect(() => validateKey(kind, key), key).not.toThrow();
    }
  });

  it('exp run warns, with the counts, about a class missing from validation and a class only in test', async () => {
    const data = dir.path('sparse');
    await writeDataset(data, { train: { a: 12, b: 1 }, test: { a: 2, b: 2, c: 3 } });
    const yaml = tinyYaml({ experiment: 'sparse', dataDir: data, validation: '{from: train, fraction: 0.1}' });
    const r = await exp(['run', dir.write('sparse.yaml', yaml), '--tracking-uri', dir.path('runs')], { cwd: dir.root });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('warning: test/c (3 images) is not one of the classes (a, b): ignored');
    expect(r.stdout).toContain("warning: class 'b' has no validation image (train 1, validation 0, test 2): its metrics there are undefined");
  });
});
