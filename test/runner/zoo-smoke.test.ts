import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySlice, picks, runnerIn, temp, type Temp } from './fixtures.js';

// Every zoo model trains one epoch on real images (a small slice at 32x32) on both engines.
let t: Temp;
let data: string;
let runWith: ReturnType<typeof runnerIn>;

beforeAll(() => {
  t = temp();
  runWith = runnerIn(t.root);
  data = join(t.root, 'data');
  const two = (split: string, n: number) => ({ NORMAL: picks(split, 'NORMAL', n), PNEUMONIA: picks(split, 'PNEUMONIA', n) });
  copySlice(data, { train: two('train', 6), val: two('val', 2), test: two('test', 2) });
});
afterAll(() => t.cleanup());

/** Small widths: the smoke run checks that each graph trains, not how well. */
const ZOO: [string, Record<string, number>][] = [
  ['resnet-mini', { width: 8, depth: 1 }],
  ['resnet18', { width: 4 }],
  ['mobilenetv2', { unit: 1 }],
  ['se-resnet', { width: 16, depth: 1 }],
  ['densenet-mini', { growth: 4 }],
];

/** A graph written in the test: concat, a squeeze-excite multiply, repeat, and a block inside a block. */
const WRITTEN = {
  params: { width: 4 },
  blocks: {
    gate: { params: { filters: 4 }, layers: ['global_avgpool', { dense: { units: '$filters', activation: 'hard_sigmoid' }, id: 'g' }, { multiply: {}, in: ['input', 'g'] }] },
    grow: {
      layers: [
        { separable_conv2d: { filters: '$width', padding: 'same', activation: 'relu6' }, id: 'new' },
        { concat: {}, in: ['input', 'new'], id: 'both' },
        { gate: { filters: '$width*2' }, in: 'both' },
        { conv2d: { filters: '$width', kernel: 1 } },
      ],
    },
  },
  layers: [{ conv2d: { filters: '$width', strides: 2, padding: 'same' } }, { grow: {}, repeat: 2 }, { maxpool: { size: 2 } }, 'flatten'],
};

describe('the zoo trains one epoch on both engines', () => {
  for (const engine of ['onnx', 'tfjs'] as const) {
    it(`a graph written inline (concat, multiply, repeat, nested blocks) on ${engine}`, async () => {
      const outcome = await runWith(data, { data: { image: { size: 32, channels: 1 } }, model: WRITTEN, train: { epochs: 1, batch_size: 8, engine, backend: engine === 'tfjs' ? 'cpu' : 'auto' } });
      expect(outcome.model.nodes.filter((n) => n.layer.type === 'multiply').map((n) => n.inputs)).toEqual([
        ['grow_0/both', 'grow_0/gate_0/g'],
        ['grow_1/both', 'grow_1/gate_0/g'],
      ]);
      expect(Number.isFinite(outcome.fit.history[0]!.train_loss)).toBe(true);
    });
  }

  it('says which backend to use where tfjs on WebAssembly cannot train depthwise convolutions', async () => {
    await expect(runWith(data, { data: { image: { size: 32, channels: 1 } }, model: { architecture: 'mobilenetv2', params: { unit: 1 } }, train: { epochs: 1, engine: 'tfjs', backend: 'wasm' } })).rejects.toThrow(
      /WebAssembly backend has no gradient for depthwise convolutions .*use train.engine: onnx \(or auto\), or train.backend: cpu/,
    );
  });

  for (const [architecture, params] of ZOO) {
    for (const engine of ['onnx', 'tfjs'] as const) {
      it(`${architecture} on ${engine}`, async () => {
        // tfjs's WebAssembly backend has no depthwise-convolution gradient: mobilenetv2 trains on its pure-JS one.
        const backend = engine === 'tfjs' && architecture === 'mobilenetv2' ? 'cpu' : 'auto';
        const outcome = await runWith(data, { data: { image: { size: 32, channels: 1 } }, model: { architecture, params }, train: { epochs: 1, batch_size: 8, engine, backend } });
        expect(outcome.engine.name).toBe(engine);
        expect(outcome.fit.history).toHaveLength(1);
        expect(Number.isFinite(outcome.fit.history[0]!.train_loss)).toBe(true);
        expect(outcome.metrics.test_accuracy).toBeGreaterThanOrEqual(0);
      });
    }
  }
});
