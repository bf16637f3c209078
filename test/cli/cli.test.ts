import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExperimentDir, VALID } from '../helpers/experiment-files.js';
import { ensureBuilt } from './spawn-exp.js';

// End to end through the compiled binary; `npm test` builds dist/ first (pretest).
const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin', 'exp.js');

function exp(args: string[], cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (stderr: string) => expect(stderr.split('\n').filter((l) => /^\s+at /.test(l))).toEqual([]);

let dir: ExperimentDir;
beforeAll(() => {
  ensureBuilt();
  dir = new ExperimentDir();
});
afterAll(() => dir.cleanup());

describe('exp validate', () => {
  it('passes the shipped examples (exit 0), checking the files alone with --no-data', () => {
    // A fresh clone (CI) lacks ../shared/data, which the chest X-ray experiments read.
    const files = readdirSync(path.join(REPO, 'experiments')).filter((f) => f.endsWith('.yaml')).map((f) => `experiments/${f}`);
    const r = exp(['validate', '--no-data', ...files]);
    expect(r.stderr).toBe('');
    // A sweep says how many runs it expands to (engine-check.yaml: 2 engines x 2 seeds; cnn2-recipe.yaml: 2 optimizers x 2 losses).
    const sweeps: Record<string, number> = { 'experiments/engine-check.yaml': 4, 'experiments/cnn2-recipe.yaml': 4 };
    expect(r.stdout.trim().split('\n')).toEqual(files.map((f) => `${f}: ok${sweeps[f] ? ` (a sweep of ${sweeps[f]} runs)` : ''}`));
    expect(r.status).toBe(0);
  });

  it('refuses a missing data folder (and so does --dry-run), saying how to point at one; --no-data checks the file alone', () => {
    const f = dir.write('nodata/exp.yaml', VALID.replace('dir: data', 'dir: missing'));
    const missing = path.join(dir.root, 'nodata', 'missing');
    for (const args of [['validate', f], ['run', f, '--dry-run']]) {
      const r = exp(args, dir.root);
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n')[0]).toBe(`nodata/exp.yaml:4:8: data.dir ${missing} does not exist`);
      expect(r.stderr).toContain('  hint: point the experiment at your copy of the data: --set data.dir=/path/to/chest_xray\n');
      expect(r.stderr).toContain('a fresh clone does not have');
    }
    expect(exp(['validate', '--no-data', f], dir.root).status).toBe(0);
    const data = dir.dataDir('elsewhere', ['A', 'B']);
    expect(exp(['validate', f, '--set', `data.dir=${data}`], dir.root).status).toBe(0);
  });

  it('prints every error of every file on stderr, one headline per line, and exits 1', () => {
    dir.dataDir('data', ['A', 'B']);
    dir.write('ok.yaml', VALID);
    dir.write('cnn2.yaml', `# comment\n${VALID.replace('cnn2', 'cnn3').replace('epochs: 1', 'epochs: 1\n  batch_size: 8\n  seed: 1\n  optimizer: {name: adam}\n  callbacks: []\n  engine: auto\n  epochs:\n    -1')}trian: {}\n`.replace('  epochs: 1\n', ''));
    dir.write('bad.yaml', '- a list\n');
    const r = exp(['validate', 'ok.yaml', 'cnn2.yaml', 'bad.yaml'], dir.root);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('ok.yaml: ok\n');
    const headlines = r.stderr.split('\n').filter((l) => /^[^\s>]/.test(l));
    expect(headlines).toEqual([
      "cnn2.yaml:17:1: unknown key 'trian' in the experiment (did you mean 'train'?)",
      'cnn2.yaml:16:5: train.epochs must be >= 1 (got -1)',
      "cnn2.yaml:8:17: unknown architecture 'cnn3' (did you mean 'cnn1'?)",
      '3 problems found',
      'bad.yaml:1:1: the top level of an experiment must be a mapping of keys (got a list)',
      '1 problem found',
    ]);
    // A code frame under each located problem, and hints with the allowed values.
    expect(r.stderr).toContain('> 16 |     -1\n     |     ^\n');
    expect(r.stderr).toContain('  hint: registered architectures: cnn1, cnn2, cnn4\n');
    noStack(r.stderr);
  });

  it('reports a malformed --set as the override (exit 1)', () => {
    dir.write('ok.yaml', VALID);
    const r = exp(['validate', 'ok.yaml', '--set', 'train.epochs'], dir.root);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("--set train.epochs: malformed override 'train.epochs': expected key.path=value");
  });
});

describe('exp run', () => {
  it('refuses an invalid experiment with exit 1, the override named, and no stack trace', () => {
    const r = exp(['run', 'experiments/quickstart.yaml', '--set', 'train.epochs=0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('--set train.epochs=0: train.epochs must be >= 1 (got 0)\n1 problem found\n');
    expect(r.stdout).toBe('');
    noStack(r.stderr);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    ['an unknown command', ['bogus'], 'exp: Unknown argument: bogus'],
    ['validate without files', ['validate'], 'exp: Not enough non-option arguments: got 0, need at least 1'],
    ['a data folder and --augment at once', ['data', 'inspect', 'somewhere', '--augment', 'x.yaml'], 'exp: give a data folder, or --augment <experiment.yaml>, not both'],
    ['--jobs with --queue', ['run', 'x.yaml', '--queue', 'redis://127.0.0.1:1', '--jobs', '2'], 'exp: --jobs trains here; with --queue each worker sets how many trials it trains at once (exp worker --jobs N)'],
  ])('%s', (_, args, message) => {
    const r = exp(args);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
    noStack(r.stderr);
  });
});

describe('exp list', () => {
  it('prints every kind of component, with params and defaults', () => {
    const r = exp(['list']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^\S/.test(l))).toEqual(['architectures:', 'layers:', 'augmentations:', 'class-weights:', 'optimizers:', 'schedules:', 'losses:', 'callbacks:', 'tta:', 'schedulers:', 'metrics:']);
    expect(r.stdout).toContain('  one_cycle  - ');
    expect(r.stdout).toContain('  mixup  - ');
    expect(r.stdout).toContain('  balanced_accuracy  - mean recall over the classes: unaffected by class imbalance [target, threshold]');
    expect(r.stdout).toContain('  cnn2  - ');
    expect(r.stdout).toContain('      filters: [integer >= 1, integer >= 1] = [32,64]  - filters of the two conv layers\n');
    expect(r.stdout).toContain('  tiny-cnn  - three small conv blocks');
    expect(r.stdout).toContain('      lr: ');
  });

  it('prints one kind: layers', () => {
    const r = exp(['list', 'layers']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('layers:');
    expect(lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(' ')[0])).toEqual([
      'activation', 'add', 'avgpool', 'batchnorm', 'concat', 'conv2d', 'dense', 'depthwise_conv2d', 'dropout', 'flatten', 'global_avgpool', 'global_maxpool', 'maxpool',
      'multiply', 'separable_conv2d', 'zero_padding2d',
    ]);
    expect(lines).toContain('      units: integer >= 1 (required)  - number of outputs');
    expect(lines).toContain('      kernel: integer >= 1 or [integer >= 1, integer >= 1] = 3  - kernel size: n or [height, width]');
    expect(r.stdout).not.toContain('architectures:');
  });
});

describe('exp run --dry-run', () => {
  it('shows each run of a sweep with its model and trains nothing', () => {
    dir.dataDir('data', ['A', 'B']);
    const f = dir.write('dry.yaml', `${VALID}sweep:\n  grid:\n    train.epochs: [1, 2]\n`);
    const r = exp(['run', f, '--dry-run', '--tracking-uri', path.join(dir.root, 'runs')]);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/total params: 21,121/g)).toHaveLength(2);
    expect(r.stdout).toContain('run n epochs=2');
    // The engine a run will use, said before it starts (this machine has no native tfjs backend).
    expect(r.stdout).toMatch(/^engine {6}(onnx \(ONNX Runtime on the CPU\) \(train\.engine: auto, no GPU backend installed\)|tfjs on tfjs-node-gpu if it sees a GPU, else onnx .*)$/m);
    expect(existsSync(path.join(dir.root, 'runs'))).toBe(false);
  });
});

describe('an unusable runs folder', () => {
  it('is a clear one-line error, not a crash', () => {
    const file = dir.write('not-a-folder', 'x');
    const r = exp(['run', 'experiments/quickstart.yaml', '--tracking-uri', path.join(file, 'runs')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`exp: cannot read ${path.join(file, 'runs')}: part of the path is a file, not a folder`);
    noStack(r.stderr);
  });
});
