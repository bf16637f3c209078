// The no-TensorFlow path: a run on the onnx engine, data to verdict, never imports TensorFlow.js
// (the onnx engine makes its own initial weights). Checked in a child process that records every
// import of an @tensorflow package through a module-resolution hook.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../data/fixtures.js';
import { ensureBuilt, REPO } from '../cli/spawn-exp.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  ensureBuilt();
  dir = await tempDir();
  // The compiled pipeline up to the verdict (recording and the CLI aside), on the repo's sample images.
  writeFileSync(
    path.join(dir.path, 'train.mjs'),
    `const dist = ${JSON.stringify(path.join(REPO, 'dist'))};
const { loadAndValidate } = await import(dist + '/config/validate.js');
const { runExperiment } = await import(dist + '/runner/run-experiment.js');
const { Progress } = await import(dist + '/core/progress.js');
const outcome = await runExperiment(loadAndValidate(process.argv[2]), new Progress(process.stdout, true));
process.stdout.write(JSON.stringify({ engine: outcome.engine.name, epochs: outcome.fit.history.length }));
`,
  );
});
afterAll(() => dir.cleanup());

/** Trains `engine` for one epoch in a child process; returns the engine used and the @tensorflow imports seen. */
function train(engine: 'onnx' | 'tfjs'): { result: { engine: string; epochs: number }; imports: string[] } {
  const config = path.join(dir.path, `${engine}.yaml`);
  writeFileSync(
    config,
    `experiment: no-tfjs
name: ${engine}
data: {dir: ${path.join(REPO, 'data', 'sample')}, image: {size: 16, channels: 1}}
model:
  layers: [{conv2d: {filters: 4, kernel: 3}}, batchnorm, maxpool, dropout, global_avgpool]
train: {epochs: 1, batch_size: 16, engine: ${engine}, backend: wasm}
`,
  );
  const log = path.join(dir.path, `${engine}-imports.json`);
  const r = spawnSync(process.execPath, ['--import', path.join(REPO, 'test', 'helpers', 'watch-imports.mjs'), path.join(dir.path, 'train.mjs'), config], {
    encoding: 'utf8',
    env: { ...process.env, EXP_IMPORT_LOG: log },
    timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`training on ${engine} failed:\n${r.stdout}${r.stderr}`);
  return { result: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { engine: string; epochs: number }, imports: JSON.parse(readFileSync(log, 'utf8')) as string[] };
}

describe('training on the onnx engine', () => {
  it('imports nothing of TensorFlow.js', () => {
    const { result, imports } = train('onnx');
    expect(result).toEqual({ engine: 'onnx', epochs: 1 });
    expect(imports, `TensorFlow.js imported by:\n${imports.join('\n')}`).toEqual([]);
  }, 300_000);

  it('while the same check sees the tfjs engine import it', () => {
    const { result, imports } = train('tfjs');
    expect(result.engine).toBe('tfjs');
    expect(imports.some((i) => i.startsWith('@tensorflow/tfjs <- '))).toBe(true);
  }, 300_000);
});
