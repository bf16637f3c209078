// Both engines start a run from the same weights: the onnx engine's own seeded initialisers give,
// bit for bit, what tfjs's give the tfjs engine, for every zoo model and the shipped cnn2.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOverrides } from '../../src/config/overrides.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { initialWeights } from '../../src/engine/onnx/initial-weights.js';
import { buildTfModel, readWeights } from '../../src/engine/tfjs/build.js';
import { resolveModel } from '../../src/model/resolve.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { ExperimentDir, VALID } from '../helpers/experiment-files.js';

let dir: ExperimentDir;
beforeAll(() => {
  dir = new ExperimentDir();
});
afterAll(() => dir.cleanup());

const ZOO = readdirSync('experiments/models').filter((f) => f.endsWith('.yaml')).map((f) => path.basename(f, '.yaml'));

function zoo(name: string, classes: number, ...sets: string[]): ModelSpec {
  const file = dir.write(`${name}.yaml`, VALID.replace('cnn2', name));
  return resolveModel(loadAndValidate(file, parseOverrides(['data.image.size=32', 'data.image.channels=3', ...sets]).overrides), classes);
}

/** The first weight (by exp's order) whose bytes differ between the engines, or null. */
function firstDifference(spec: ModelSpec, seed: number): string | null {
  const built = buildTfModel(spec, seed);
  const tfjs = readWeights(built);
  built.model.dispose();
  const onnx = initialWeights(spec, seed);
  if (onnx.length !== tfjs.length) return `${onnx.length} weights vs tfjs's ${tfjs.length}`;
  for (let w = 0; w < tfjs.length; w++) {
    const a = onnx[w]!;
    const b = tfjs[w]!;
    if (a.length !== b.length) return `weight ${w}: ${a.length} values vs tfjs's ${b.length}`;
    // Compared as bit patterns: float32-exact, -0 and NaN included.
    const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const ref = new Uint32Array(b.buffer, b.byteOffset, b.length);
    const i = bits.findIndex((v, k) => v !== ref[k]);
    if (i >= 0) return `weight ${w} [${i}]: ${a[i]} vs tfjs's ${b[i]}`;
  }
  return null;
}

describe('the onnx engine initial weights', () => {
  it('the zoo has the models these checks name', () => {
    expect(ZOO).toEqual(expect.arrayContaining(['resnet18', 'mobilenetv2', 'se-resnet', 'densenet-mini', 'resnet-mini']));
  });

  it.each(ZOO)('equal tfjs bit for bit: %s', (name) => {
    const small = name === 'resnet18' ? ['model.params.width=8'] : name === 'mobilenetv2' ? ['model.params.unit=4'] : [];
    expect(firstDifference(zoo(name, 2, ...small), 42)).toBeNull();
  });

  it('equal tfjs bit for bit: experiments/cnn2.yaml as it trains, with two classes and with three', () => {
    const cnn2 = loadAndValidate('experiments/cnn2.yaml');
    expect(firstDifference(resolveModel(cnn2, 2), cnn2.config.train.seed)).toBeNull();
    expect(firstDifference(resolveModel(cnn2, 3), 7)).toBeNull();
  });

  it('equal tfjs bit for bit for separable convolutions (two kernels from one seeded initialiser) and a hidden dense layer', () => {
    const spec: ModelSpec = {
      inputShape: [12, 12, 3],
      nodes: [
        { id: 'sep', inputs: ['input'], layer: { type: 'separable_conv2d', filters: 8, kernel: [3, 3], strides: [1, 1], padding: 'same', depthMultiplier: 2, activation: 'relu', useBias: true } },
        { id: 'bn', inputs: ['sep'], layer: { type: 'batchnorm', momentum: 0.99, epsilon: 1e-3 } },
        { id: 'gap', inputs: ['bn'], layer: { type: 'global_avgpool' } },
        { id: 'hidden', inputs: ['gap'], layer: { type: 'dense', units: 5, activation: 'relu', useBias: false } },
        { id: 'output', inputs: ['hidden'], layer: { type: 'dense', units: 1, activation: 'sigmoid', useBias: true } },
      ],
    };
    expect(firstDifference(spec, 3)).toBeNull();
  });

  it('depend on the seed', () => {
    const spec = zoo('resnet-mini', 2, 'model.params.width=8');
    expect(initialWeights(spec, 1)[0]).not.toEqual(initialWeights(spec, 2)[0]);
  });
});
