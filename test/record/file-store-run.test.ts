/**
 * A whole tiny run recorded into a file store, checked on disk as MLflow's reader would see it:
 * meta.yaml, metric lines, params, tags and artifacts; the saved model reloaded with tfjs and
 * compared with its ONNX twin.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndValidate, type ValidatedExperiment } from '../../src/config/validate.js';
import { overridesFrom } from '../../src/config/overrides.js';
import { configHash } from '../../src/runner/identity.js';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment, type RunOutcome } from '../../src/runner/run-experiment.js';
import type { ModelSignature } from '../../src/model/signature.js';
import { EXP_VERSION } from '../../src/runner/provenance.js';
import { FileStore } from '../../src/tracking/index.js';
import { CLASSES, quiet, TempDir, tinyYaml } from './fixtures.js';

const EPOCH_METRICS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'];
const FINAL_METRICS = ['test_accuracy', 'test_auc', ...CLASSES.flatMap((c) => [`test_recall_${c}`, `test_precision_${c}`, `test_f1_${c}`])];

let dir: TempDir;
let exp: ValidatedExperiment;
let store: FileStore;
let recorder: RunRecorder;
let outcome: RunOutcome;
let runDir: string;

const read = (...rel: string[]): string => readFileSync(path.join(runDir, ...rel), 'utf8');
const keysIn = (folder: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(runDir, folder, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
};

beforeAll(async () => {
  dir = new TempDir();
  // The run goes through `extends` and `--set`: params must show the resolved values.
  dir.write('base.yaml', tinyYaml({ name: 'base', extra: "targets:\n  accuracy: '>= 0.01'\n  recall: '>= 0.99'\n" }));
  const child = dir.write('child.yaml', 'extends: base.yaml\nname: child-run\ntrain: {epochs: 1, batch_size: 32, seed: 7, optimizer: {name: adam, lr: 0.001}}\n');
  exp = loadAndValidate(child, overridesFrom(['train.epochs=2', 'train.optimizer.lr=0.01']));
  store = new FileStore(dir.path('runs'));
  recorder = await RunRecorder.start(store, exp);
  outcome = await runExperiment(exp, quiet(), recorder);
  await recorder.finish(outcome);
  runDir = path.join(store.root, recorder.experimentId, recorder.runId);
}, 120_000);
afterAll(() => dir.cleanup());

describe('a run recorded into a file store', () => {
  it('writes experiment and run meta.yaml as MLflow reads them, ending FINISHED (status 3)', () => {
    const expMeta = parse(readFileSync(path.join(store.root, recorder.experimentId, 'meta.yaml'), 'utf8')) as Record<string, unknown>;
    expect(expMeta).toMatchObject({ experiment_id: recorder.experimentId, name: 'rec', lifecycle_stage: 'active' });
    const meta = parse(read('meta.yaml')) as Record<string, unknown>;
    expect(meta).toMatchObject({ run_uuid: recorder.runId, run_id: recorder.runId, experiment_id: recorder.experimentId, run_name: 'child-run', status: 3, lifecycle_stage: 'active' });
    expect(Number.isInteger(meta['end_time'])).toBe(true);
    expect(meta['end_time'] as number).toBeGreaterThanOrEqual(meta['start_time'] as number);
    expect(meta['artifact_uri']).toBe(`file://${path.join(runDir, 'artifacts')}`);
  });

  it('logs every epoch metric once per epoch, step = epoch from 1, as "<int ms> <value> <epoch>\\n" lines', () => {
    const epochs = outcome.fit.history.length;
    expect(epochs).toBe(2);
    for (const key of EPOCH_METRICS) {
      const text = read('metrics', key);
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(epochs);
      lines.forEach((line, i) => {
        expect(line).toMatch(/^\d+ \S+ \d+$/);
        const [ms, value, step] = line.split(' ');
        expect(Number(step)).toBe(i + 1);
        expect(Number.isFinite(Number(value))).toBe(true);
        expect(Number(ms)).toBeGreaterThan(1_600_000_000_000);
        const logged = outcome.fit.history[i]! as unknown as Record<string, number>;
        expect(Number(value)).toBeCloseTo(logged[key]!, 10);
      });
    }
  });

  it('logs the final test metrics (accuracy, per-class recall/precision/f1, auc) once each', () => {
    const metrics = keysIn('metrics');
    expect(metrics).toEqual(expect.arrayContaining([...EPOCH_METRICS, ...FINAL_METRICS]));
    for (const key of FINAL_METRICS) {
      const lines = read('metrics', key).slice(0, -1).split('\n');
      expect(lines).toHaveLength(1);
      expect(Number(lines[0]!.split(' ')[1])).toBeCloseTo(outcome.metrics[key]!, 10);
    }
    expect(outcome.metrics['test_accuracy']).toBeGreaterThanOrEqual(0);
  });

  it('logs the resolved experiment (after extends and --set) as dotted params, without trailing newlines', () => {
    expect(read('params', 'train.epochs')).toBe('2');
    expect(read('params', 'train.optimizer.lr')).toBe('0.01');
    expect(read('params', 'train.optimizer.name')).toBe('adam');
    expect(read('params', 'name')).toBe('child-run');
    expect(read('params', 'experiment')).toBe('rec');
    expect(read('params', 'data.image.size')).toBe('16');
    expect(read('params', 'data.image.channels')).toBe('1');
    expect(read('params', 'model.layers.0.conv2d.filters')).toBe('4');
    expect(read('params', 'model.layers.2.flatten')).toBe('{}');
    expect(read('params', 'targets.accuracy')).toBe('>= 0.01');
    expect(read('params', 'class_weight')).toBe('balanced');
    expect(keysIn('params')).not.toContain('extends');
    // Class weights.
    for (const [i, c] of CLASSES.entries()) expect(Number(read('params', `class_weight.${c}`))).toBeCloseTo(outcome.classWeights[i]!, 10);
    for (const key of keysIn('params')) expect(read('params', key).endsWith('\n')).toBe(false);
  });

  it('records the chosen threshold as a result (metric and tag), not as a param', () => {
    expect(outcome.threshold.value).not.toBeNull();
    expect(keysIn('params').filter((k) => k.includes('threshold'))).toEqual(['evaluate.threshold.choose_on', 'evaluate.threshold.maximize', 'evaluate.threshold.min_class_recall', 'evaluate.threshold.tolerance']);
    expect(Number(read('metrics', 'threshold').split(' ')[1])).toBe(outcome.threshold.value);
    expect(read('tags', 'exp.threshold')).toBe(String(outcome.threshold.value));
  });

  it('tags verdict, each target, provenance, backend/device, versions, data fingerprint and config hash', () => {
    expect(read('tags', 'exp.verdict')).toBe(outcome.verdict.pass ? 'PASS' : 'FAIL');
    // recall >= 0.99 for both classes is out of reach for one tiny epoch... but judge from the outcome.
    expect(read('tags', 'exp.target.accuracy')).toBe(outcome.verdict.results.find((r) => r.name === 'accuracy')!.pass ? 'PASS' : 'FAIL');
    expect(read('tags', 'exp.target.recall')).toBe(outcome.verdict.results.find((r) => r.name === 'recall')!.pass ? 'PASS' : 'FAIL');
    expect(read('tags', 'mlflow.runName')).toBe('child-run');
    expect(read('tags', 'mlflow.source.name')).toBe(exp.file); // outside git: absolute
    expect(read('tags', 'mlflow.source.type')).toBe('LOCAL');
    expect(keysIn('tags')).toContain('mlflow.user');
    expect(read('tags', 'exp.version')).toBe(EXP_VERSION);
    expect(read('tags', 'exp.node')).toBe(process.version);
    expect(read('tags', 'exp.tfjs')).toBe(tf.version.tfjs);
    expect(read('tags', 'exp.backend')).toBe(outcome.engine.backend);
    expect(read('tags', 'exp.device')).toBe(outcome.engine.device);
    expect(read('tags', 'exp.data.fingerprint')).toBe(outcome.dataset.fingerprint);
    expect(read('tags', 'exp.data.fingerprint')).toMatch(/^[0-9a-f]{64}$/);
    expect(read('tags', 'exp.config_hash')).toBe(configHash(exp));
    expect(read('tags', 'mlflow.note.content')).toBe('a tiny run for tests');
  });

  it('saves config.yaml as the resolved experiment', () => {
    const config = parse(read('artifacts', 'config.yaml')) as Record<string, unknown>;
    expect(config).toEqual(JSON.parse(JSON.stringify(exp.config)));
    expect((config['train'] as Record<string, unknown>)['epochs']).toBe(2);
  });

  it('saves model.json + weights, signature.json, metrics.json and model.onnx', () => {
    const files = ['config.yaml', 'metrics.json', 'model/model.json', 'model/weights.bin', 'model/summary.txt', 'model/signature.json', 'model/model.onnx', 'model/spec.json', 'plots/learning_curves.png'];
    for (const f of files) expect(statSync(path.join(runDir, 'artifacts', f)).size).toBeGreaterThan(0);
    const signature = JSON.parse(read('artifacts', 'model', 'signature.json')) as ModelSignature;
    expect(signature).toEqual({
      format: 'exp-model-signature/1',
      input: { shape: [16, 16, 1], layout: 'NHWC', dtype: 'float32', channels: 1, resize: 'fill', scale: '[0, 1]' },
      output: { activation: 'sigmoid', units: 1 },
      classes: CLASSES,
      positive: 'PNEUMONIA',
      threshold: outcome.threshold.value,
      tta: [],
    });
    const summary = JSON.parse(read('artifacts', 'metrics.json')) as { metrics: Record<string, number>; verdict: { pass: boolean }; history: unknown[] };
    expect(summary.metrics['test_accuracy']).toBe(outcome.metrics['test_accuracy']);
    expect(summary.verdict.pass).toBe(outcome.verdict.pass);
    expect(summary.history).toHaveLength(2);
  });

  it('saves model/ as an MLflow Model: MLmodel with the onnx and pyfunc flavors and a tensor signature', () => {
    const mlmodel = parse(read('artifacts', 'model', 'MLmodel')) as Record<string, unknown> & {
      flavors: { onnx: Record<string, unknown>; python_function: Record<string, unknown> };
      signature: { inputs: string; outputs: string };
    };
    expect(mlmodel).toMatchObject({ artifact_path: 'model', run_id: recorder.runId, mlflow_version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(mlmodel['model_uuid']).toMatch(/^[0-9a-f]{32}$/);
    expect(mlmodel['utc_time_created']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(mlmodel.flavors.onnx).toMatchObject({ data: 'model.onnx', onnx_version: expect.stringMatching(/^\d+\.\d+\.\d+$/), code: null });
    expect(mlmodel.flavors.onnx['providers']).toContain('CPUExecutionProvider');
    expect(mlmodel.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx' });
    // `data` names the file that is there, beside MLmodel.
    expect(existsSync(path.join(runDir, 'artifacts', 'model', mlmodel.flavors.onnx['data'] as string))).toBe(true);
    expect(JSON.parse(mlmodel.signature.inputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 16, 16, 1] }, name: 'x' }]);
    expect(JSON.parse(mlmodel.signature.outputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 1] }, name: 'predictions' }]);
    expect(read('artifacts', 'model', 'requirements.txt')).toMatch(/^mlflow>=.*\nonnx>=.*\nonnxruntime\n$/);
    // The tag MLflow's UI lists logged models by.
    const history = JSON.parse(read('tags', 'mlflow.log-model.history')) as Record<string, unknown>[];
    expect(history).toEqual([expect.objectContaining({ run_id: recorder.runId, artifact_path: 'model', model_uuid: mlmodel['model_uuid'], flavors: mlmodel.flavors })]);
  });

  it('saves predictions.csv: every validation and test image with true and predicted class and each class probability', () => {
    const [header, ...rows] = read('artifacts', 'predictions.csv').trimEnd().split('\n').map((l) => l.split(','));
    expect(header).toEqual(['file', 'split', 'true_class', 'predicted_class', 'p_NORMAL', 'p_PNEUMONIA']);
    const { val, test } = outcome.dataset;
    expect(rows.map((r) => r[1])).toEqual([...Array(val.count).fill('validation'), ...Array(test.count).fill('test')]);
    const testRows = rows.slice(val.count);
    testRows.forEach((r, i) => {
      // The file relative to the data folder, where it is.
      expect(path.resolve(exp.dataDir, r[0]!)).toBe(test.files[i]);
      expect(r[2]).toBe(CLASSES[test.y[i]!]);
      expect(r[3]).toBe(CLASSES[outcome.evaluation.predictions[i]!]);
      expect(Number(r[5])).toBeCloseTo(outcome.testOutputs[i]!, 6);
      expect(Number(r[4]) + Number(r[5])).toBeCloseTo(1, 6);
    });
    // Validation rows follow the same rule (the run's threshold).
    rows.slice(0, val.count).forEach((r, i) => {
      expect(r[2]).toBe(CLASSES[val.y[i]!]);
      expect(r[3]).toBe(Number(r[5]) >= outcome.threshold.value! ? 'PNEUMONIA' : 'NORMAL');
    });
  });

  it('model/model.json loads back into tfjs and predicts what model/model.onnx predicts (1e-4)', async () => {
    const modelJson = JSON.parse(read('artifacts', 'model', 'model.json')) as {
      modelTopology: tf.io.ModelArtifacts['modelTopology'];
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    const manifest = modelJson.weightsManifest[0]!;
    expect(manifest.paths).toEqual(['weights.bin']);
    const bin = readFileSync(path.join(runDir, 'artifacts', 'model', manifest.paths[0]!));
    const handler: tf.io.IOHandler = {
      load: async () => ({
        modelTopology: modelJson.modelTopology,
        weightSpecs: manifest.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    };
    const model = await tf.loadLayersModel(handler);
    const [n, h, w, c] = [5, 16, 16, 1];
    const input = Float32Array.from({ length: n * h * w * c }, (_, i) => ((i * 7919) % 1000) / 1000);
    const x = tf.tensor4d(input, [n, h, w, c]);
    const y = model.predict(x) as tf.Tensor;
    const tfOut = Array.from(y.dataSync());
    tf.dispose([x, y]);
    model.dispose();

    const session = await ort.InferenceSession.create(readFileSync(path.join(runDir, 'artifacts', 'model', 'model.onnx')));
    const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [n, h, w, c]) });
    const onnxOut = Array.from(result[session.outputNames[0]!]!.data as Float32Array);
    await session.release();

    expect(tfOut).toHaveLength(n);
    expect(onnxOut).toHaveLength(n);
    for (let i = 0; i < n; i++) expect(Math.abs(tfOut[i]! - onnxOut[i]!)).toBeLessThan(1e-4);
    // Not a constant model: the inputs differ, and so should at least two outputs.
    expect(new Set(tfOut.map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
  });

  it('reads back through the store API with the same names', async () => {
    const run = await store.getRun(recorder.runId);
    expect(run.info.status).toBe('FINISHED');
    expect(Object.keys(run.data.metrics)).toEqual(expect.arrayContaining([...EPOCH_METRICS, ...FINAL_METRICS]));
    expect(run.data.tags['exp.verdict']).toMatch(/^(PASS|FAIL)$/);
    expect((await store.getMetricHistory(recorder.runId, 'val_loss')).map((m) => m.step)).toEqual([1, 2]);
    expect(existsSync(path.join(runDir, 'artifacts', 'model', 'model.onnx'))).toBe(true);
  });
});
