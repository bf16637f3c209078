/** Grad-CAM on a real run's logged tfjs model: the gradient is the logit's, the layer can be chosen, and `exp predict --explain` writes overlays. */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/data/index.js';
import { ExplainError } from '../../src/explain/errors.js';
import { loadExplainer } from '../../src/explain/load-explainer.js';
import { loadRunModel } from '../../src/predict/load-model.js';
import { predictFiles } from '../../src/predict/predict-files.js';
import { ensureBuilt, exp } from '../cli/spawn-exp.js';
import { tinyRun, type TinyRun } from '../report/fixtures.js';

let run: TinyRun;
beforeAll(async () => {
  ensureBuilt();
  run = await tinyRun({ name: 'tiny-explain' });
}, 120_000);
afterAll(() => run?.cleanup());

const shape = [32, 32, 1] as const;

describe('Grad-CAM from the run’s tfjs model', () => {
  it('explains at the last conv layer by default, and says which engine computed the gradient', async () => {
    const explainer = await loadExplainer(run.store, run.runId);
    try {
      // conv2d (30x30x4) -> maxpool (15x15x4) -> flatten -> dense: the pool is stepped over
      expect(explainer.source.layer).toMatchObject({ position: 1, className: 'Conv2D' });
      expect(explainer.source.engine).toMatch(/^tfjs \((wasm|cpu|tensorflow)\)$/);
      const pixels = await decodeImage(run.outcome.dataset.test.files[0]!, { size: [32, 32], channels: 1 });
      const e = await explainer.explain(pixels, shape, 1);
      expect(e.cam.shape).toEqual([30, 30]);
      expect(Math.max(...e.cam.values)).toBe(1);
      expect(Math.min(...e.cam.values)).toBeGreaterThanOrEqual(0);
    } finally {
      explainer.dispose();
    }
  });

  it('differentiates the logit: at the pooled map the gradient is the output kernel, negated for the other class', async () => {
    const explainer = await loadExplainer(run.store, run.runId, { layer: '2' });
    try {
      expect(explainer.source.layer).toMatchObject({ position: 2, className: 'MaxPooling2D' });
      const pixels = await decodeImage(run.outcome.dataset.test.files[0]!, { size: [32, 32], channels: 1 });
      const kernel = run.outcome.weights.at(-2)!; // dense kernel [15 * 15 * 4, 1] in flatten's (HWC) order
      const positive = await explainer.source.mapAndGradient(pixels, shape, 1);
      const negative = await explainer.source.mapAndGradient(pixels, shape, 0);
      expect(positive.shape).toEqual([15, 15, 4]);
      expect(Array.from(positive.gradient)).toEqual(Array.from(kernel).map((v) => expect.closeTo(v, 6)));
      expect(Array.from(negative.gradient)).toEqual(Array.from(kernel).map((v) => expect.closeTo(-v, 6)));
    } finally {
      explainer.dispose();
    }
  });

  it('names the layers it can explain at when --layer names none of them', async () => {
    const error = await loadExplainer(run.store, run.runId, { layer: 'dense_9' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExplainError);
    expect((error as Error).message).toMatch(/^no spatial layer 'dense_9' in the model; name one of: 1 conv2d_\w+ \(Conv2D\), 2 max_pooling2d_\w+ \(MaxPooling2D\)$/);
  });

  it('explains each prediction for its predicted class', async () => {
    const { signature, model } = await loadRunModel(run.store, run.runId);
    const explainer = await loadExplainer(run.store, run.runId, { method: 'gradcam++' });
    try {
      const files = run.outcome.dataset.test.files.slice(0, 3);
      const { predictions } = await predictFiles(model, signature, files, { explainer });
      for (const p of predictions) expect(p.explanation).toMatchObject({ classIndex: p.index, cam: { method: 'gradcam++', shape: [30, 30] } });
    } finally {
      explainer.dispose();
      await model.release();
    }
  });
});

describe('exp predict --explain', () => {
  it('writes the original with its heatmap per image and names it in the JSON', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'exp-heatmaps-')), 'maps');
    const files = run.outcome.dataset.test.files.slice(0, 2);
    const r = await exp(['predict', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--explain', '--out', out, '--json', ...files]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { predictions: { file: string; class: string; heatmap: string; explanation: { method: string; layer_position: number } }[] };
    expect(json.predictions.map((p) => p.file)).toEqual(files);
    for (const p of json.predictions) {
      expect(p.heatmap).toBe(path.join(out, `${path.basename(p.file, '.jpeg')}.gradcam.png`));
      expect(existsSync(p.heatmap)).toBe(true);
      // the original's size (the sample is 224x224), not the model's 32x32
      const meta = await sharp(p.heatmap).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 224, 224]);
      expect(p.explanation).toMatchObject({ method: 'gradcam', layer_position: 1 });
    }
    const text = await exp(['predict', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--explain', '--out', out, files[0]!]);
    expect(text.stdout).toMatch(new RegExp(`(NORMAL|PNEUMONIA) +\\d+\\.\\d%  ${out}/\\S+\\.gradcam\\.png\\n`));
    expect(text.stdout).toMatch(/\(heatmaps: Grad-CAM of the predicted class at layer conv2d_\w+ \(1, 30x30\), gradient by tfjs \(\w+\)\)/);
    const bad = await exp(['predict', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--explain', '--layer', 'nope', files[0]!]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^exp: no spatial layer 'nope' in the model; name one of: 1 conv2d/);
  });
});
