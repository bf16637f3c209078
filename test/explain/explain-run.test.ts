/** Grad-CAM on a real run: on ONNX Runtime from its spec and model.onnx, equal to tf.grad on its tfjs model (the fallback for older runs); the gradient is the logit's, the layer can be chosen, and `exp predict --explain` writes overlays. */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/data/index.js';
import { ExplainError } from '../../src/explain/errors.js';
import * as tf from '@tensorflow/tfjs';
import { Explainer } from '../../src/explain/explainer.js';
import { loadExplainer, TFJS_MODEL_ARTIFACT, TFJS_WEIGHTS_ARTIFACT } from '../../src/explain/load-explainer.js';
import { TfjsGradient } from '../../src/explain/tfjs-gradient.js';
import { loadRunModel } from '../../src/predict/load-model.js';
import { predictFiles } from '../../src/predict/predict-files.js';
import { ensureBuilt, exp } from '../cli/spawn-exp.js';
import { tinyRun, type TinyRun } from '../report/fixtures.js';
import { withoutSpec } from './fixtures.js';

let run: TinyRun;
beforeAll(async () => {
  ensureBuilt();
  run = await tinyRun({ name: 'tiny-explain' });
}, 120_000);
afterAll(() => run?.cleanup());

const shape = [32, 32, 1] as const;

const testImage = (i: number): Promise<Float32Array> => decodeImage(run.outcome.dataset.test.files[i]!, { size: [32, 32], channels: 1 });

describe('Grad-CAM from the run’s model', () => {
  it('differentiates the model on ONNX Runtime at the last conv layer by default', async () => {
    const explainer = await loadExplainer(run.store, run.runId);
    try {
      // conv2d (30x30x4) -> maxpool (15x15x4) -> flatten -> dense: the pool is stepped over
      expect(explainer.source.layer).toEqual({ position: 1, name: 'conv2d_0', className: 'conv2d' });
      expect(explainer.source.engine).toBe('onnx (onnxruntime)');
      const e = await explainer.explain(await testImage(0), shape, 1);
      expect(e.cam.shape).toEqual([30, 30]);
      expect(Math.max(...e.cam.values)).toBe(1);
      expect(Math.min(...e.cam.values)).toBeGreaterThanOrEqual(0);
    } finally {
      explainer.dispose();
    }
  });

  it('falls back to the run’s tfjs model for a run logged without model/spec.json', async () => {
    const explainer = await loadExplainer(withoutSpec(run.store), run.runId);
    try {
      expect(explainer.source.layer).toMatchObject({ position: 1, className: 'Conv2D' });
      expect(explainer.source.engine).toMatch(/^tfjs \((wasm|cpu|tensorflow)\)$/);
    } finally {
      explainer.dispose();
    }
  });

  // Against tfjs's cpu backend: its WebAssembly backend drops gradients at ties in a max pool
  // (measured 2026-12-03: tf.grad of maxPool on an all-zero 2x2x2 window gives [1, 1, 0, ...] on
  // cpu, [1, 0, 0, ...] on wasm, the second channel's gradient lost), and a relu map has ties of 0.
  it('gives the same feature maps, gradients and maps on both engines, at the default layer and at --layer 2', async () => {
    const [json, weights] = [await run.store.readArtifact(run.runId, TFJS_MODEL_ARTIFACT), await run.store.readArtifact(run.runId, TFJS_WEIGHTS_ARTIFACT)];
    await tf.setBackend('cpu');
    for (const layer of [undefined, '2']) {
      const onnx = await loadExplainer(run.store, run.runId, { layer });
      const tfjs = new Explainer(await TfjsGradient.load(new TextDecoder().decode(json), weights, layer));
      try {
        expect(onnx.source.layer.position).toBe(tfjs.source.layer.position);
        for (const i of [0, 1, 2]) {
          const pixels = await testImage(i);
          for (const cls of [0, 1]) {
            const [a, b] = [await onnx.source.mapAndGradient(pixels, shape, cls), await tfjs.source.mapAndGradient(pixels, shape, cls)];
            expect(a.shape).toEqual(b.shape);
            expect(Array.from(a.activations)).toEqual(Array.from(b.activations).map((v) => expect.closeTo(v, 5)));
            expect(Array.from(a.gradient)).toEqual(Array.from(b.gradient).map((v) => expect.closeTo(v, 5)));
            const [ma, mb] = [await onnx.explain(pixels, shape, cls), await tfjs.explain(pixels, shape, cls)];
            expect(ma.cam.empty).toBe(mb.cam.empty);
            expect(Array.from(ma.cam.values)).toEqual(Array.from(mb.cam.values).map((v) => expect.closeTo(v, 4)));
          }
        }
      } finally {
        onnx.dispose();
        tfjs.dispose();
      }
    }
  });

  it('differentiates the logit: at the pooled map the gradient is the output kernel, negated for the other class', async () => {
    for (const store of [run.store, withoutSpec(run.store)]) {
      const explainer = await loadExplainer(store, run.runId, { layer: '2' });
      try {
        expect(explainer.source.layer.position).toBe(2);
        const pixels = await testImage(0);
        const kernel = run.outcome.weights.at(-2)!; // dense kernel [15 * 15 * 4, 1] in flatten's (HWC) order
        const positive = await explainer.source.mapAndGradient(pixels, shape, 1);
        const negative = await explainer.source.mapAndGradient(pixels, shape, 0);
        expect(positive.shape).toEqual([15, 15, 4]);
        expect(Array.from(positive.gradient)).toEqual(Array.from(kernel).map((v) => expect.closeTo(v, 6)));
        expect(Array.from(negative.gradient)).toEqual(Array.from(kernel).map((v) => expect.closeTo(-v, 6)));
      } finally {
        explainer.dispose();
      }
    }
  });

  it('names the layers it can explain at when --layer names none of them, on either engine', async () => {
    const error = await loadExplainer(run.store, run.runId, { layer: 'dense_9' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExplainError);
    expect((error as Error).message).toBe("no spatial layer 'dense_9' in the model; name one of: 1 conv2d_0 (conv2d), 2 maxpool_0 (maxpool)");
    const tfjs = await loadExplainer(withoutSpec(run.store), run.runId, { layer: 'dense_9' }).catch((e: unknown) => e);
    expect(tfjs).toBeInstanceOf(ExplainError);
    expect((tfjs as Error).message).toMatch(/^no spatial layer 'dense_9' in the model; name one of: 1 conv2d_\w+ \(Conv2D\), 2 max_pooling2d_\w+ \(MaxPooling2D\)$/);
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
    expect(text.stdout).toContain('(heatmaps: Grad-CAM of the predicted class at layer conv2d_0 (1, 30x30), gradient by onnx (onnxruntime))');
    const bad = await exp(['predict', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--explain', '--layer', 'nope', files[0]!]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("exp: no spatial layer 'nope' in the model; name one of: 1 conv2d_0 (conv2d), 2 maxpool_0 (maxpool)\n");
  });
});
