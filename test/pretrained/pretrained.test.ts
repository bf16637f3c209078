/**
 * model.pretrained: weights from nsfwjs's MobileNetV2 (a real tfjs layers model, uint8-quantized, in
 * the nsfwjs npm package) into exp's models, frozen nodes that stay put on both engines, unfreezing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../src/core/progress.js';
import { ConfigError } from '../../src/config/issues.js';
import { loadAndValidate, type ValidatedExperiment } from '../../src/config/validate.js';
import { describeParams, buildInferenceGraph } from '../../src/engine/onnx/build.js';
import { createEngine } from '../../src/engine/select.js';
import { resolveModel } from '../../src/model/resolve.js';
import { applyPretrained, frozenNodes, matchPretrained, readPretrained } from '../../src/pretrained/index.js';
import { createLoss } from '../../src/registry/losses/index.js';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { RunRecorder } from '../../src/runner/record.js';
import { runExperiment } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';
import { REPO, SAMPLE } from '../record/fixtures.js';

let root: string;
let modelJson: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'exp-pretrained-'));
  const res = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'nsfwjs-model.mjs'), 'mobilenet_v2', path.join(root, 'nsfwjs')], { encoding: 'utf8' });
  expect(res.stderr).toBe('');
  modelJson = path.join(root, 'nsfwjs', 'model.json');
  expect(existsSync(modelJson)).toBe(true);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** nsfwjs's value of one weight, dequantized by hand from its uint8 bytes: min + scale * byte. */
function fileWeight(name: string): Float32Array {
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as { weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; quantization: { min: number; scale: number; dtype: string } }[] }[] };
  const group = json.weightsManifest[0]!;
  const bytes = readFileSync(path.join(root, 'nsfwjs', group.paths[0]!));
  let offset = 0;
  for (const w of group.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    expect(w.quantization.dtype).toBe('uint8');
    if (w.name === name) return Float32Array.from(bytes.subarray(offset, offset + n), (b) => w.quantization.min + w.quantization.scale * b);
    offset += n;
  }
  throw new Error(`no ${name} in the file`);
}

function experiment(name: string, model: string, extra = ''): ValidatedExperiment {
  const file = path.join(root, `${name}.yaml`);
  writeFileSync(
    file,
    `experiment: pretrained-test
name: ${name}
data:
  dir: ${JSON.stringify(SAMPLE)}
  image: {size: [32, 32], channels: 3}
  validation: {from: val}
  cache: false
model:
${model}
train:
  epochs: 2
  batch_size: 16
  seed: 3
  optimizer: {name: adam, lr: 0.01}
${extra}`,
  );
  return loadAndValidate(file, [], { requireData: true });
}

/** The first layers of Keras's MobileNetV2, with Keras's layer names as ids (match: names). */
const KERAS_NAMED = `  layers:
    - conv2d: {filters: 32, kernel: 3, strides: 2, padding: same, bias: false}
      id: Conv1
    - batchnorm: {}
      id: bn_Conv1
    - activation: relu6
    - depthwise_conv2d: {kernel: 3, padding: same, bias: false}
      id: expanded_conv_depthwise
    - batchnorm: {}
      id: expanded_conv_depthwise_BN
    - activation: relu6
    - conv2d: {filters: 16, kernel: 1, bias: false}
      id: expanded_conv_project
    - batchnorm: {}
      id: expanded_conv_project_BN
    - global_avgpool`;

async function engineFor(exp: ValidatedExperiment, engine: 'tfjs' | 'onnx') {
  const spec = resolveModel(exp, 2);
  const train = { ...exp.config.train, engine, backend: 'cpu' as const };
  return (await createEngine(train, spec, createLoss(undefined, 2), createOptimizer(train.optimizer as { name: string }))).engine;
}

describe('loading weights from a file', () => {
  it("gives the zoo's mobilenetv2 every weight of nsfwjs's MobileNetV2 but the head, matched by order, equal to the file's", async () => {
    const exp = experiment('zoo', '  architecture: mobilenetv2', '');
    const spec = resolveModel(exp, 2);
    const params = describeParams(spec);
    const initial = params.map((p) => new Float32Array(p.shape.reduce((a, b) => a * b, 1)));
    const { weights, report } = matchPretrained(spec, initial, await readPretrained(modelJson), { match: 'order' });
    // 52 convolutions (kernel), 52 batch norms (4 each): all of MobileNetV2's features; only exp's output layer is new.
    expect(report.loaded).toHaveLength(params.length - 2);
    expect(report.notLoaded.map((n) => n.weight)).toEqual(['output/kernel', 'output/bias']);
    expect(report.notLoaded[0]!.reason).toMatch(/dense_1 is \[1280, 256\]/);
    expect(report.unused).toEqual(['dense_1', 'dense_2', 'dense_3']);
    const at = (weight: string) => weights[params.findIndex((p, i) => report.loaded.find((l) => l.weight === weight) && `${spec.nodes[p.layer]!.id}/${p.suffix}` === weight && i >= 0)]!;
    // The first and the last convolution, a depthwise kernel and batch-norm statistics deep inside.
    for (const [ours, theirs] of [
      ['conv2d_0/kernel', 'Conv1/kernel'],
      ['conv2d_1/kernel', 'Conv_1/kernel'],
      // residual_5: the sixth stride-1 block of the zoo's, Keras's block_9 (blocks 1, 3, 6, 10 and 13 change width or stride).
      ['residual_5/depthwise_conv2d_0/depthwise_kernel', 'block_9_depthwise/depthwise_kernel'],
      ['residual_5/batchnorm_1/moving_variance', 'block_9_depthwise_BN/moving_variance'],
    ] as const) {
      expect(report.loaded.find((l) => l.weight === ours)?.from).toBe(theirs);
      const expected = fileWeight(theirs);
      const got = at(ours);
      expect(got.length).toBe(expected.length);
      for (let i = 0; i < got.length; i += 97) expect(got[i]).toBeCloseTo(expected[i]!, 5);
    }
    // The head keeps what it had.
    expect(weights[params.findIndex((p) => spec.nodes[p.layer]!.id === 'output')]).toEqual(initial[params.findIndex((p) => spec.nodes[p.layer]!.id === 'output')]);
  });

  it('matches by name where the ids are the file\'s layer names, or as rename says; a model the file does not fit is refused', async () => {
    const named = await engineFor(experiment('named', KERAS_NAMED), 'onnx');
    try {
      const report = await applyPretrained(named, modelJson, { from: modelJson, match: 'names' });
      expect(report.loaded.map((l) => l.from)).toContain('expanded_conv_project_BN/moving_mean');
      expect(report.loaded).toHaveLength(1 + 4 + 1 + 4 + 1 + 4);
      expect(report.notLoaded.map((n) => n.weight)).toEqual(['output/kernel', 'output/bias']);
      const kernel = named.getWeights()[0]!;
      const expected = fileWeight('Conv1/kernel');
      for (let i = 0; i < kernel.length; i++) expect(kernel[i]).toBeCloseTo(expected[i]!, 5);
    } finally {
      await named.dispose();
    }
    const renamed = await engineFor(experiment('renamed', KERAS_NAMED.replace('id: Conv1', 'id: stem')), 'onnx');
    try {
      expect((await applyPretrained(renamed, modelJson, { from: modelJson, match: 'names' })).notLoaded.map((n) => n.weight)).toContain('stem/kernel');
      expect((await applyPretrained(renamed, modelJson, { from: modelJson, match: 'names', rename: { Conv1: 'stem' } })).loaded.map((l) => l.weight)).toContain('stem/kernel');
    } finally {
      await renamed.dispose();
    }
    const unrelated = await engineFor(experiment('unrelated', '  layers:\n    - conv2d: {filters: 5, kernel: 3}\n    - flatten'), 'onnx');
    try {
      await expect(applyPretrained(unrelated, modelJson, { from: modelJson, match: 'order' })).rejects.toThrow(/no weight of the model matches one in .*model\.json.*conv2d_0 \[3, 3, 3, 5\] \[5\].*Conv1 is \[3, 3, 3, 32\]/);
    } finally {
      await unrelated.dispose();
    }
  });

  it("reads exp's own ONNX model: a run's model.onnx gives the same model its weights by name", async () => {
    const exp = experiment('onnx-source', KERAS_NAMED);
    const spec = resolveModel(exp, 2);
    const source = await engineFor(exp, 'onnx');
    const weights = source.getWeights().map((w) => w.map((_, i) => Math.sin(i + w.length)));
    await source.dispose();
    const file = path.join(root, 'model.onnx');
    writeFileSync(file, buildInferenceGraph(spec, weights));
    const zeros = weights.map((w) => new Float32Array(w.length));
    const { weights: loaded, report } = matchPretrained(spec, zeros, await readPretrained(file), { match: 'names' });
    expect(report.notLoaded).toEqual([]);
    expect(loaded).toEqual(weights);
  });
});

describe('config', () => {
  it('refuses a missing file, a node that is not there, and unfreezing that never comes', () => {
    const problems = (model: string, extra = ''): string[] => {
      try {
        experiment('bad', model, extra);
        return [];
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.issues.map((i) => i.message);
      }
    };
    expect(problems(`${KERAS_NAMED}\n  pretrained: {from: nowhere/model.json}`)).toEqual([expect.stringMatching(/pretrained weights file .*nowhere\/model\.json does not exist/)]);
    expect(problems(`${KERAS_NAMED}\n  pretrained: {from: ${JSON.stringify(modelJson)}, freeze: bn_conv1}`)).toEqual(["the model has no node 'bn_conv1' (did you mean 'bn_Conv1'?)"]);
    expect(problems(`${KERAS_NAMED}\n  pretrained: {from: ${JSON.stringify(modelJson)}, freeze: bn_Conv1, unfreeze_after: 2}`)).toEqual([expect.stringMatching(/unfreeze_after 2 is not before the last epoch \(train.epochs 2\)/)]);
    expect(problems(`${KERAS_NAMED}\n  pretrained: {from: ${JSON.stringify(modelJson)}, unfreeze_after: 1}`)).toEqual([expect.stringMatching(/unfreeze_after needs freeze/)]);
  });
});

describe('freezing', () => {
  it('the frozen part is the node and all it depends on, not a branch beside it', () => {
    const exp = experiment('graph', `  layers:
    - conv2d: {filters: 2, kernel: 3}
      id: a
    - conv2d: {filters: 2, kernel: 1}
      id: b
    - conv2d: {filters: 2, kernel: 1}
      in: a
      id: c
    - add: {}
      in: [b, c]
    - flatten`);
    const spec = resolveModel(exp, 2);
    const ids = (s: Set<number> | undefined) => [...(s ?? [])].map((i) => spec.nodes[i]!.id).sort();
    expect(ids(frozenNodes(spec, 'b'))).toEqual(['a', 'b']);
    expect(frozenNodes(spec, 'nope')).toBeUndefined();
  });

  for (const name of ['onnx', 'tfjs'] as const) {
    it(`${name}: frozen weights (batch-norm statistics too) stay equal after a step, the rest change; unfrozen, they train`, async () => {
      const exp = experiment(`freeze-${name}`, KERAS_NAMED);
      const spec = resolveModel(exp, 2);
      const engine = await engineFor(exp, name);
      try {
        await applyPretrained(engine, modelJson, { from: modelJson, match: 'names' });
        const frozen = frozenNodes(spec, 'expanded_conv_depthwise_BN')!;
        const owner = describeParams(spec).map((p) => p.layer);
        const isFrozen = owner.map((layer) => frozen.has(layer));
        expect(isFrozen.filter(Boolean)).toHaveLength(1 + 4 + 1 + 4);
        const n = 4;
        const x = Float32Array.from({ length: n * 32 * 32 * 3 }, (_, i) => (Math.sin(i) + 1) / 2);
        const y = Float32Array.of(0, 1, 1, 0);
        const w = new Float32Array(n).fill(1);
        engine.freeze(frozen);
        const before = engine.getWeights();
        await engine.trainStep(x, y, w);
        const after = engine.getWeights();
        after.forEach((a, i) => (isFrozen[i] ? expect(a).toEqual(before[i]) : expect(a).not.toEqual(before[i])));
        engine.freeze(new Set());
        await engine.trainStep(x, y, w);
        const unfrozen = engine.getWeights();
        unfrozen.forEach((a, i) => expect(a).not.toEqual(after[i]));
      } finally {
        await engine.dispose();
      }
    }, 120_000);
  }
});

describe('a run with model.pretrained', () => {
  it('logs what was loaded, keeps the frozen part as loaded, and with unfreeze_after trains it from then on', async () => {
    const store = new FileStore(path.join(root, 'runs'));
    const run = async (name: string, pretrained: string) => {
      const exp = experiment(name, `${KERAS_NAMED}\n  pretrained: {from: ${JSON.stringify(modelJson)}, ${pretrained}}`, 'evaluate: {threshold: 0.5}');
      const recorder = await RunRecorder.start(store, exp);
      const lines: string[] = [];
      const progress = new Progress({ write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream);
      const outcome = await runExperiment(exp, progress, recorder);
      await recorder.finish(outcome);
      return { outcome, runId: recorder.runId, log: lines.join('') };
    };
    const kept = await run('frozen', 'freeze: expanded_conv_project_BN');
    expect(kept.log).toMatch(/pretrained: 15 of 17 weights loaded from .*model\.json \(matched by names\)/);
    expect(kept.log).toMatch(/frozen: 8 of 10 nodes/);
    const file = new TextDecoder().decode(await store.readArtifact(kept.runId, 'pretrained.txt'));
    expect(file).toMatch(/output\/kernel \[16, 1\]: no layer of that name in the file/);
    expect((await store.getRun(kept.runId)).data.params['pretrained.loaded']).toBe('15 of 17 weights');
    const kernel = kept.outcome.weights[0]!;
    const expected = fileWeight('Conv1/kernel');
    for (let i = 0; i < kernel.length; i++) expect(kernel[i]).toBeCloseTo(expected[i]!, 5);

    const thawed = await run('unfrozen', 'freeze: expanded_conv_project_BN, unfreeze_after: 1');
    expect(thawed.log).toMatch(/epoch 2: every node trains from here/);
    expect(thawed.outcome.weights[0]).not.toEqual(kept.outcome.weights[0]);
  }, 240_000);
});
