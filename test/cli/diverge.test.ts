import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeDataset } from '../data/fixtures.js';

// End to end through the compiled binary (`npm test` builds dist/ first).
const BIN = path.resolve(import.meta.dirname, '../../bin/exp.js');

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
  await writeDataset(path.join(dir.path, 'data'), { train: { A: 16, B: 16 }, test: { A: 2, B: 2 } });
});
afterAll(() => dir.cleanup());

/** Every file named `name` under `root`, recursively. */
const find = (root: string, name: string): string[] =>
  readdirSync(root, { withFileTypes: true, recursive: true }).filter((d) => d.isFile() && d.name === name).map((d) => path.join(d.parentPath, d.name));

describe('a training that diverges', () => {
  it('stops at the first non-finite loss, closes the run FAILED with the reason, and exits 1 without a stack', () => {
    writeFileSync(
      path.join(dir.path, 'exp.yaml'),
      `experiment: diverge
name: huge-lr
data: {dir: data, image: {size: 16, channels: 1}, validation: {from: train, fraction: 0.25}}
class_weight: {A: 1000, B: 1000}
model:
  layers: [flatten, {dense: {units: 256, activation: relu}}, {dense: {units: 256, activation: relu}}]
train:
  epochs: 20
  batch_size: 4
  optimizer: {name: sgd, lr: 10, momentum: 0.99}
  engine: onnx
`,
    );
    const r = spawnSync(process.execPath, [BIN, 'run', 'exp.yaml', '--tracking-uri', 'runs'], { cwd: dir.path, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/training diverged: the loss became (NaN|Infinity) at epoch \d+, batch \d+ \(learning rate 10, class weights 1000, 1000\); lower train\.optimizer\.lr or the class weights/);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr.split('\n').filter((l) => /^\s+at /.test(l))).toEqual([]);
    // It stopped there: no later epoch trained, nothing was evaluated.
    expect(r.stdout).not.toMatch(/epoch 20\/20|test set/);
    const [meta] = find(path.join(dir.path, 'runs'), 'meta.yaml').filter((f) => f.includes(path.sep + 'runs' + path.sep) && readFileSync(f, 'utf8').includes('run_name'));
    expect(readFileSync(meta!, 'utf8')).toMatch(/^status: 4$/m); // MLflow's FAILED
    const [error] = find(path.dirname(meta!), 'exp.error');
    expect(readFileSync(error!, 'utf8')).toMatch(/^training diverged: /);
  });
});
