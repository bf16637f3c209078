/**
 * Grad-CAM on graph models from the YAML zoo (batch norm, residual sums, depthwise convolutions,
 * relu6) and one written here (hard_swish, a squeeze-excite gate): runs trained in the test on
 * data/sample at 32x32, one epoch. The default layer is the last spatial feature map, the ONNX
 * gradient is the logit's through the whole graph, and `exp predict --explain` works on them.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../src/core/progress.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { decodeImage, mulberry32 } from '../../src/data/index.js';
import { ExplainError } from '../../src/explain/errors.js';
import { loadExplainer } from '../../src/explain/load-explainer.js';
import { loadRunModel } from '../../src/predict/load-model.js';
import { summarize } from '../../src/model/summary.js';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment, type RunOutcome } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';
import { ensureBuilt, exp } from '../cli/spawn-exp.js';
import { SAMPLE } from '../record/fixtures.js';
import { withoutSpec } from './fixtures.js';

/** A graph written here: hard_swish after batch norm, a squeeze-excite gate (multiply) and a residual sum. */
const WRITTEN = {
  blocks: {
    gate: { layers: ['global_avgpool', { dense: { units: 8, activation: 'hard_sigmoid' }, id: 'g' }, { multiply: {}, in: ['input', 'g'] }] },
  },
  layers: [
    { conv2d: { filters: 8, kernel: 3, strides: 2, padding: 'same', bias: false } },
    'batchnorm',
    { activation: 'hard_swish', id: 'stem' },
    { depthwise_conv2d: { kernel: 3, padding: 'same' } },
    'batchnorm',
    { activation: 'hard_swish' },
    { gate: {}, id: 'se' },
    { add: {}, in: ['stem', 'se'] },
    'global_avgpool',
  ],
};

const MODELS: [string, Record<string, unknown>][] = [
  ['resnet-mini', { architecture: 'resnet-mini', params: { width: 8, depth: 1 } }],
  ['mobilenetv2', { architecture: 'mobilenetv2', params: { unit: 1 } }],
  ['written', WRITTEN],
];

let root: string;
let store: FileStore;
const runs = new Map<string, { runId: string; outcome: RunOutcome }>();

beforeAll(async () => {
  ensureBuilt();
  root = mkdtempSync(path.join(os.tmpdir(), 'exp-cam-graph-'));
  store = new FileStore(path.join(root, 'runs'));
  for (const [name, model] of MODELS) {
    const file = path.join(root, `${name}.yaml`);
    const config = {
      experiment: 'cam-graph',
      name,
      data: { dir: SAMPLE, image: { size: [32, 32], channels: 1 }, validation: { from: 'val' }, cache: false },
      model,
      train: { epochs: 1, batch_size: 32, seed: 5, optimizer: { name: 'adam', lr: 0.003 } },
    };
    writeFileSync(file, stringify(config));
    const validated = loadAndValidate(file);
    const recorder = await RunRecorder.start(store, validated);
    const outcome = await runExperiment(validated, new Progress(process.stdout, true), recorder);
    await recorder.finish(outcome);
    runs.set(name, { runId: recorder.runId, outcome });
  }
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shape = [32, 32, 1] as const;

describe.each(MODELS.map(([name]) => name))('Grad-CAM on the graph model %s', (name) => {
  it('explains at the last spatial feature map by default, on ONNX Runtime', async () => {
    const { runId, outcome } = runs.get(name)!;
    const spec = outcome.model;
    const shapes = summarize(spec).layers;
    const last = shapes.findLastIndex((l) => l.outputShape.length === 3);
    const explainer = await loadExplainer(store, runId);
    try {
      expect(explainer.source.engine).toBe('onnx (onnxruntime)');
      expect(explainer.source.layer).toEqual({ position: last + 1, name: spec.nodes[last]!.id, className: spec.nodes[last]!.layer.type });
      const e = await explainer.explain(await decodeImage(outcome.dataset.test.files[0]!, { size: [32, 32], channels: 1 }), shape, 1);
      expect(e.cam.shape).toEqual(shapes[last]!.outputShape.slice(0, 2));
      expect(e.cam.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    } finally {
      explainer.dispose();
    }
  });

  it('says why a run logged without model/spec.json cannot be explained, not a crash', async () => {
    const error = await loadExplainer(withoutSpec(store), runs.get(name)!.runId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExplainError);
    expect((error as Error).message).toMatch(/^the run's tfjs model is a graph, which Grad-CAM differentiates on ONNX Runtime from the run's model\/spec.json/);
  });
});

// mobilenetv2 is left out here: after one epoch at this width its logit does not move along the
// step (measured 2026-12-03: a change of 0 in float32), so there is nothing to compare.
describe.each(['resnet-mini', 'written'])('the gradient on the graph model %s', (name) => {
  // d(logit) = <dLogit/dA, dA> for a map A every path from the image passes through (the last
  // map, the stem): the gradient checked against the run's own model.onnx, a graph it shares no
  // code path with, by a central difference along a random direction. Through every node: batch
  // norm at inference, sums, gates, depthwise convolutions, hard_swish.
  it("gives the logit's gradient: a central difference of the run's model.onnx agrees, at the last map and at the stem", async () => {
    const { runId, outcome } = runs.get(name)!;
    const { model } = await loadRunModel(store, runId);
    const x = await decodeImage(outcome.dataset.test.files[1]!, { size: [32, 32], channels: 1 });
    const rng = mulberry32(9);
    const step = x.map(() => (rng() < 0.5 ? -1 : 1) * 5e-4);
    const [plus, minus] = [x.map((v, i) => v + step[i]!), x.map((v, i) => v - step[i]!)];
    const logit = async (image: Float32Array): Promise<number> => {
      const p = (await model.predict(image, 1, shape))[0]![0]!;
      return Math.log(p / (1 - p));
    };
    const change = (await logit(plus)) - (await logit(minus));
    try {
      for (const layer of [undefined, '1']) {
        const explainer = await loadExplainer(store, runId, { layer });
        try {
          for (const cls of [0, 1]) {
            const { gradient } = await explainer.source.mapAndGradient(x, shape, cls);
            const [a, b] = [await explainer.source.mapAndGradient(plus, shape, cls), await explainer.source.mapAndGradient(minus, shape, cls)];
            let predicted = 0;
            for (let i = 0; i < gradient.length; i++) predicted += gradient[i]! * (a.activations[i]! - b.activations[i]!);
            const expected = cls === 1 ? change : -change;
            console.log(`${name} at ${explainer.source.layer.name}, class ${cls}: logit change ${expected.toExponential(3)}, from the gradient ${predicted.toExponential(3)}`);
            expect(Math.abs(expected)).toBeGreaterThan(1e-5);
            expect(Math.abs(predicted - expected)).toBeLessThan(0.05 * Math.abs(expected));
          }
        } finally {
          explainer.dispose();
        }
      }
    } finally {
      await model.release();
    }
  });
});

describe('exp predict --explain on a graph model', () => {
  it('writes the heatmaps and names the layer by its node id', async () => {
    const { runId, outcome } = runs.get('resnet-mini')!;
    const out = path.join(root, 'maps');
    const files = outcome.dataset.test.files.slice(0, 2);
    const r = await exp(['predict', '--run', runId, '--tracking-uri', path.join(root, 'runs'), '--explain', '--out', out, '--json', ...files]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { predictions: { heatmap: string; explanation: { layer: string; map_size: number[]; gradient_engine: string } }[] };
    for (const p of json.predictions) {
      expect(existsSync(p.heatmap)).toBe(true);
      expect(p.explanation).toEqual(expect.objectContaining({ layer: outcome.model.nodes.at(-3)!.id, map_size: [16, 16], gradient_engine: 'onnx (onnxruntime)' }));
    }
  });
});
