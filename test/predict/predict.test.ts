/** `exp predict` on a real run's saved model: same answers as the run's own evaluation, clear errors otherwise. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { decodeImage } from '../../src/data/index.js';
import { flipInPlace } from '../../src/registry/augmentations/flip.js';
import { collectImages } from '../../src/predict/collect.js';
import { formatPredictions } from '../../src/predict/format.js';
import { interpretOutput } from '../../src/predict/interpret.js';
import { loadRunModel, MODEL_ARTIFACT, SIGNATURE_ARTIFACT } from '../../src/predict/load-model.js';
import { predictFiles } from '../../src/predict/predict-files.js';
import { signatureProblems } from '../../src/predict/signature.js';
import { REPO, SAMPLE, tinyRun, type TinyRun } from '../report/fixtures.js';

let run: TinyRun;
beforeAll(async () => {
  run = await tinyRun({ name: 'tiny-predict' });
}, 120_000);
afterAll(() => run?.cleanup());

/** A run in the same store holding the given artifacts and nothing else. */
async function runWith(artifacts: Record<string, Uint8Array | string>): Promise<string> {
  const created = await run.store.createRun(run.experimentId, { runName: 'crafted' });
  for (const [p, data] of Object.entries(artifacts)) await run.store.logArtifact(created.runId, p, data);
  await run.store.updateRun(created.runId, 'FINISHED', Date.now());
  return created.runId;
}

describe('predicting with a logged model', () => {
  it('classifies the test images exactly as the run evaluated them', async () => {
    const { signature, model } = await loadRunModel(run.store, run.runId);
    try {
      expect(signature.input.shape).toEqual([32, 32, 1]);
      expect(signature.classes).toEqual(['NORMAL', 'PNEUMONIA']);
      const { test, classes } = run.outcome.dataset;
      const { predictions, unreadable } = await predictFiles(model, signature, test.files);
      expect(unreadable).toEqual([]);
      expect(predictions.map((p) => p.file)).toEqual(test.files);
      expect(predictions.map((p) => p.label)).toEqual(run.outcome.evaluation.predictions.map((k) => classes[k]));
      for (const p of predictions) {
        expect(p.probabilities[0]! + p.probabilities[1]!).toBeCloseTo(1, 6);
        expect(p.probability).toBe(p.probabilities[p.index]);
      }
    } finally {
      await model.release();
    }
  });

  it("averages over the signature's test-time views, as the run evaluated with them", async () => {
    const { signature, model } = await loadRunModel(run.store, run.runId);
    try {
      const files = run.outcome.dataset.test.files.slice(0, 4);
      const withTta = { ...signature, tta: ['hflip'] };
      expect(signatureProblems(withTta)).toEqual([]);
      expect(signatureProblems({ ...signature, tta: ['hflop'] })[0]).toMatch(/tta: no tta view named 'hflop' \(did you mean 'hflip'\?\)/);
      const { predictions } = await predictFiles(model, withTta, files);
      for (const [i, file] of files.entries()) {
        const x = await decodeImage(file, { size: [32, 32], channels: 1 });
        const flipped = x.slice();
        flipInPlace({ data: flipped, height: 32, width: 32, channels: 1 }, true);
        const [plain, mirrored] = [(await model.predict(x, 1, [32, 32, 1]))[0]![0]!, (await model.predict(flipped, 1, [32, 32, 1]))[0]![0]!];
        expect(predictions[i]!.probabilities[1]).toBeCloseTo((plain + mirrored) / 2, 6);
      }
    } finally {
      await model.release();
    }
  });

  it('formats one aligned line per file and says the decision rule', async () => {
    const { signature, model } = await loadRunModel(run.store, run.runId);
    try {
      const { predictions } = await predictFiles(model, signature, run.outcome.dataset.test.files.slice(0, 2));
      const text = formatPredictions(predictions, signature);
      const lines = text.split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines.slice(0, 2)) expect(line).toMatch(/\.jpeg +(NORMAL {3}|PNEUMONIA) {2}[ \d]{2}\d\.\d%$/);
      expect(lines[2]).toBe(`(2 images; class: PNEUMONIA when p(PNEUMONIA) >= ${Number(signature.threshold!.toFixed(4))} (the run's threshold))`);
    } finally {
      await model.release();
    }
  });

  it("applies the run's threshold, not 0.5", () => {
    const sig = { classes: ['NORMAL', 'PNEUMONIA'], threshold: 0.3 };
    expect(interpretOutput([0.4], sig)).toMatchObject({ label: 'PNEUMONIA', index: 1 });
    expect(interpretOutput([0.4], { ...sig, threshold: null })).toMatchObject({ label: 'NORMAL', probability: 0.6 });
    expect(interpretOutput([0.1, 0.7, 0.2], { classes: ['a', 'b', 'c'], threshold: null })).toMatchObject({ label: 'b', probability: 0.7 });
  });

  it('reports files it cannot decode without losing the others', async () => {
    const bad = path.join(run.root, 'broken.jpeg');
    writeFileSync(bad, 'not an image');
    const good = run.outcome.dataset.test.files[0]!;
    const { signature, model } = await loadRunModel(run.store, run.runId);
    try {
      const { predictions, unreadable } = await predictFiles(model, signature, [bad, good]);
      expect(predictions.map((p) => p.file)).toEqual([good]);
      expect(unreadable.map((u) => u.file)).toEqual([bad]);
    } finally {
      await model.release();
    }
  });

  it('expands folders to their images, sorted, and rejects a missing path', async () => {
    const files = await collectImages([path.join(SAMPLE, 'test')]);
    expect(files).toHaveLength(60);
    expect(files.every((f) => /\.(jpe?g|png)$/i.test(f))).toBe(true);
    expect([...files].sort()).toEqual(files);
    await expect(collectImages([path.join(run.root, 'nope')])).rejects.toThrow(UserError);
  });
});

describe('errors', () => {
  it('a missing run', async () => {
    await expect(loadRunModel(run.store, 'f'.repeat(32))).rejects.toThrow(/no run 'f{32}'/);
    await expect(loadRunModel(run.store, 'f'.repeat(32))).rejects.toBeInstanceOf(UserError);
  });

  it('a run without a model', async () => {
    const id = await runWith({ 'config.yaml': 'x: 1\n' });
    await expect(loadRunModel(run.store, id)).rejects.toThrow(/has no saved model \(model\/model\.onnx and model\/signature\.json missing\)/);
  });

  it('a signature that does not match the model, or that exp cannot honour', async () => {
    const onnx = await run.store.readArtifact(run.runId, MODEL_ARTIFACT);
    const signature = JSON.parse(new TextDecoder().decode(await run.store.readArtifact(run.runId, SIGNATURE_ARTIFACT))) as Record<string, unknown>;
    const rgb = { ...signature, input: { ...(signature['input'] as object), shape: [32, 32, 3], channels: 3 } };
    const mismatched = await runWith({ [MODEL_ARTIFACT]: onnx, [SIGNATURE_ARTIFACT]: JSON.stringify(rgb) });
    await expect(loadRunModel(run.store, mismatched)).rejects.toThrow(/does not match its signature: model takes \[32, 32, 1\]/);
    const future = await runWith({ [MODEL_ARTIFACT]: onnx, [SIGNATURE_ARTIFACT]: JSON.stringify({ ...signature, format: 'exp-model-signature/9' }) });
    await expect(loadRunModel(run.store, future)).rejects.toThrow(/incompatible model signature: unknown signature format "exp-model-signature\/9"/);
  });

  it('signatureProblems names each problem', () => {
    expect(signatureProblems(null)).toEqual(['signature.json is not a JSON object']);
    const problems = signatureProblems({ format: 'exp-model-signature/1', input: { shape: [8, 8, 3], channels: 1, layout: 'NCHW', resize: 'fill', scale: '[0, 1]' }, output: { activation: 'softmax', units: 2 }, classes: ['a', 'b'], threshold: 2 });
    expect(problems).toEqual([
      'input.shape has 3 channels but input.channels is 1',
      'input.layout must be NHWC, got "NCHW"',
      'output must be sigmoid with 1 unit(s) for 2 classes, got {"activation":"softmax","units":2}',
      'threshold must be a number in [0, 1] or null, got 2',
    ]);
  });
});

describe('exp predict (the CLI)', () => {
  const BIN = path.join(REPO, 'bin', 'exp.js');
  const exp = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: run.root, encoding: 'utf8', timeout: 60_000 });
  beforeAll(() => {
    if (!existsSync(path.join(REPO, 'dist', 'cli', 'commands', 'predict.js'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
  }, 120_000);

  it('prints JSON for scripts, one entry per image of the folders and files given', () => {
    const dir = path.join(run.root, 'imgs', 'nested');
    mkdirSync(dir, { recursive: true });
    copyFileSync(run.outcome.dataset.test.files[0]!, path.join(dir, 'a.jpeg'));
    const r = exp(['predict', '--run', run.runId, '--tracking-uri', 'runs', '--json', 'imgs', run.outcome.dataset.test.files[1]!]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { predictions: { file: string; class: string; probability: number }[]; threshold: number };
    expect(out.predictions.map((p) => p.file)).toEqual([path.join('imgs', 'nested', 'a.jpeg'), run.outcome.dataset.test.files[1]]);
    const classes = run.outcome.dataset.classes;
    expect(out.predictions.map((p) => p.class)).toEqual(run.outcome.evaluation.predictions.slice(0, 2).map((k) => classes[k]));
    expect(out.threshold).toBe(run.outcome.threshold.value);
  });

  it('takes the start of a run id or the run name for --run', () => {
    const file = run.outcome.dataset.test.files[0]!;
    const whole = exp(['predict', '--run', run.runId, '--tracking-uri', 'runs', '--json', file]);
    for (const ref of [run.runId.slice(0, 8), 'tiny-predict']) {
      const r = exp(['predict', '--run', ref, '--tracking-uri', 'runs', '--json', file]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(whole.stdout);
    }
  });

  it('a missing run is one clear line and exit 1', () => {
    const r = exp(['predict', '--run', 'nope', '--tracking-uri', 'runs', run.outcome.dataset.test.files[0]!]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^exp: no run with id, id prefix or name 'nope' in /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
