import { describe, it } from 'vitest';
import { createOptimizer } from '../../src/registry/optimizers/index.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { resolveModel } from '../../src/model/resolve.js';
import { chain, type Conv2dSpec, type DenseSpec, type LayerSpec, type MaxPoolSpec, type ModelNode, type ModelSpec, type Padding } from '../../src/model/spec.js';
import { checkStep, type StepCase } from './step-check.js';

const conv = (filters: number, padding: Padding = 'valid', strides: [number, number] = [1, 1]): Conv2dSpec =>
  ({ type: 'conv2d', filters, kernel: [3, 3], strides, padding, activation: 'relu', useBias: true });
const pool: MaxPoolSpec = { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' };
const sigmoidOut: DenseSpec = { type: 'dense', units: 1, activation: 'sigmoid', useBias: true };

const cnn1: ModelSpec = chain([16, 16, 1], [conv(8), pool, { type: 'flatten' }, sigmoidOut]);
const cnn2: ModelSpec = chain([20, 20, 1], [conv(8), pool, conv(16), pool, { type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu', useBias: true }, { type: 'dropout', rate: 0 }, sigmoidOut]);
const cnn4 = (useBias: boolean): ModelSpec => chain([32, 32, 3], [
    ...[8, 8, 16, 16].flatMap((f): LayerSpec[] => [{ ...conv(f, 'same'), useBias }, { type: 'batchnorm', momentum: 0.99, epsilon: 1e-3 }, pool, { type: 'dropout', rate: 0 }]),
    { type: 'global_avgpool' },
    sigmoidOut,
]);
const softmax3: ModelSpec = chain([17, 15, 2], [
    conv(6, 'same', [2, 2]),
    { type: 'avgpool', size: [3, 3], strides: [2, 2], padding: 'same' },
    { type: 'flatten' },
    { type: 'batchnorm', momentum: 0.9, epsilon: 1e-3 },
    { type: 'dense', units: 3, activation: 'softmax', useBias: true },
]);

// Monotone activations before max pools are moved after them by the planner; results must not change.
const hoisted: ModelSpec = chain([15, 13, 2], [
    { ...conv(6, 'same'), activation: 'elu' },
    { type: 'maxpool', size: [3, 3], strides: [2, 2], padding: 'same' },
    { type: 'activation', activation: 'leaky_relu' },
    pool,
    { type: 'flatten' },
    { type: 'dense', units: 3, activation: 'softmax', useBias: true },
]);

/**
 * A model written in YAML alone (experiments/models/tiny-cnn.yaml), resolved through the registries
 * as a run resolves it; smaller input, and dropout off, since tfjs's own masks cannot be replayed.
 */
const yamlOnly: ModelSpec = chain(
  [24, 24, 1],
  resolveModel(loadAndValidate('experiments/tiny-cnn.yaml'), 2).nodes.map(({ layer: l }) => (l.type === 'dropout' ? { ...l, rate: 0 } : l)),
);

const node = (id: string, layer: LayerSpec, inputs: string[]): ModelNode => ({ id, layer, inputs });
const bn: LayerSpec = { type: 'batchnorm', momentum: 0.9, epsilon: 1e-3 };

/** A residual sum whose first term feeds three consumers (a conv, a batch norm and the add itself). */
const residual: ModelSpec = {
  inputShape: [12, 12, 2],
  nodes: [
    node('a', conv(4, 'same'), ['input']),
    node('b', conv(4, 'same'), ['a']),
    node('c', bn, ['a']),
    node('sum', { type: 'add' }, ['a', 'b', 'c']),
    node('pool', { type: 'global_avgpool' }, ['sum']),
    node('out', sigmoidOut, ['pool']),
  ],
};

/** A squeeze-excite gate ([C] times [H, W, C]), a depthwise branch joined by concat, separable and padded convolutions. */
const gated: ModelSpec = {
  inputShape: [10, 10, 3],
  nodes: [
    node('x', { ...conv(6, 'same'), activation: 'relu6' }, ['input']),
    node('squeeze', { type: 'global_avgpool' }, ['x']),
    node('reduce', { type: 'dense', units: 3, activation: 'relu', useBias: true }, ['squeeze']),
    node('gate', { type: 'dense', units: 6, activation: 'hard_sigmoid', useBias: true }, ['reduce']),
    node('scaled', { type: 'multiply' }, ['x', 'gate']),
    node('dw', { type: 'depthwise_conv2d', kernel: [3, 3], strides: [1, 1], padding: 'same', depthMultiplier: 1, activation: 'linear', useBias: false }, ['scaled']),
    node('joined', { type: 'concat' }, ['scaled', 'dw']),
    node('padded', { type: 'zero_padding2d', padding: [[1, 0], [0, 1]] }, ['joined']),
    node('sep', { type: 'separable_conv2d', filters: 5, kernel: [3, 3], strides: [2, 2], padding: 'valid', depthMultiplier: 1, activation: 'hard_swish', useBias: true }, ['padded']),
    node('flat', { type: 'flatten' }, ['sep']),
    node('out', { type: 'dense', units: 3, activation: 'softmax', useBias: true }, ['flat']),
  ],
};

const cases: StepCase[] = [
  { name: 'cnn1 adam', spec: cnn1, loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'adam', lr: 0.01 }), n: 6 },
  { name: 'cnn2 adam', spec: cnn2, loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'adam', lr: 0.001 }), n: 8 },
  { name: 'cnn2 sgd momentum', spec: cnn2, loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'sgd', lr: 0.05, momentum: 0.9 }), n: 8 },
  { name: 'cnn1 sgd nesterov', spec: cnn1, loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'sgd', lr: 0.05, momentum: 0.8, nesterov: true }), n: 5 },
  // A bias just before batch norm has a true gradient of zero; Adam scales the float noise there up to a full
  // step, so that case is checked with SGD, and the Adam case leaves those biases out.
  { name: 'cnn4 batchnorm sgd', spec: cnn4(true), loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'sgd', lr: 0.05, momentum: 0.9 }), n: 4 },
  { name: 'cnn4 batchnorm adam', spec: cnn4(false), loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'adam', lr: 0.001 }), n: 4 },
  { name: 'YAML-only model (tiny-cnn)', spec: yamlOnly, loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'adam', lr: 0.001 }), n: 6 },
  { name: 'graph: residual add, a tensor with three consumers', spec: residual, loss: 'binary_crossentropy', optimizer: createOptimizer({ name: 'sgd', lr: 0.05, momentum: 0.9 }), n: 4 },
  { name: 'graph: squeeze-excite multiply, concat, depthwise, separable, padding', spec: gated, loss: 'categorical_crossentropy', optimizer: createOptimizer({ name: 'adam', lr: 0.01 }), n: 5 },
  { name: 'activations moved past max pools', spec: hoisted, loss: 'categorical_crossentropy', optimizer: createOptimizer({ name: 'sgd', lr: 0.1 }), n: 4 },
  { name: 'softmax 3-class', spec: softmax3, loss: 'categorical_crossentropy', optimizer: createOptimizer({ name: 'adam', lr: 0.01 }), n: 5 },
];

describe('one training step matches tfjs fit', () => {
  for (const c of cases) it(c.name, () => checkStep(c));
});
