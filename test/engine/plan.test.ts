import { describe, expect, it } from 'vitest';
import { planNodes } from '../../src/engine/onnx/plan.js';
import { chain, type LayerSpec } from '../../src/model/spec.js';

const pool: LayerSpec = { type: 'maxpool', size: [2, 2], strides: [2, 2], padding: 'valid' };
const conv = (activation: 'relu' | 'gelu'): LayerSpec => ({ type: 'conv2d', filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation, useBias: true });

const planLayers = (layers: LayerSpec[]) => planNodes(chain([8, 8, 1], layers).nodes);

describe('planNodes', () => {
  it('moves monotone activations after the following max pool, keeping param owners', () => {
    const plan = planLayers([conv('relu'), pool, { type: 'activation', activation: 'tanh' }, pool, { type: 'flatten' }]);
    expect(plan.map((p) => [p.layer.type, 'activation' in p.layer ? p.layer.activation : '', p.owner])).toEqual([
      ['conv2d', 'linear', 0],
      ['maxpool', '', 1],
      ['activation', 'relu', -1],
      ['maxpool', '', 3],
      ['activation', 'tanh', -1],
      ['flatten', '', 4],
    ]);
  });

  it('keeps non-monotone activations and non-pool successors in place', () => {
    const layers = [conv('gelu'), pool, conv('relu'), { type: 'batchnorm', momentum: 0.9, epsilon: 1e-3 } as const, pool];
    expect(planLayers(layers).map((p) => p.layer)).toEqual(layers);
  });

  it('keeps an activation in place when another node also takes its output', () => {
    const nodes = [
      { id: 'c', layer: conv('relu'), inputs: ['input'] },
      { id: 'p', layer: pool, inputs: ['c'] },
      { id: 'q', layer: pool, inputs: ['c'] },
      { id: 'sum', layer: { type: 'add' } as const, inputs: ['p', 'q'] },
    ];
    expect(planNodes(nodes).map((p) => [p.id, p.layer.type, p.inputs])).toEqual(nodes.map((n) => [n.id, n.layer.type, n.inputs]));
    const single = planNodes(nodes.slice(0, 2));
    expect(single.map((p) => [p.id, p.layer.type, p.inputs])).toEqual([
      ['c', 'conv2d', ['input']],
      ['p/pre_activation', 'maxpool', ['c']],
      ['p', 'activation', ['p/pre_activation']],
    ]);
  });
});
