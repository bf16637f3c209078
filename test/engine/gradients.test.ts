// Each ONNX gradient rule (src/engine/onnx/gradients.ts) against central finite differences of
// the op itself, run through ORT on small random inputs; then the walk (summing where a tensor
// feeds several ops, lazy broadcasts) and the Grad-CAM gradient of a logit w.r.t. a node's output.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import { backprop, gradients } from '../../src/engine/onnx/autodiff.js';
import { logitGradient } from '../../src/engine/onnx/build.js';
import { GraphBuilder } from '../../src/engine/onnx/graph.js';
import { RULES } from '../../src/engine/onnx/gradients.js';
import { randomArray, relErr } from './tfjs-reference.js';

interface Input {
  shape: number[];
  /** Default: uniform in [-1, 1]. */
  values?: (random: () => number, n: number) => Float32Array;
  /** Whether its gradient is checked (default true). */
  grad?: boolean;
}

const EPS = 1e-3;
// Central differences of a float32 forward: ~1e-4 absolute noise on gradients of order 1.
const TOL = 2e-3;

/** Values at least `margin` away from each kink (relu at 0, clip at its bounds). */
const awayFrom = (kinks: number[], margin = 0.05) => (random: () => number, n: number): Float32Array =>
  Float32Array.from({ length: n }, () => {
    for (;;) {
      const v = 2 * random() - 1;
      if (kinks.every((k) => Math.abs(v - k) > margin)) return v;
    }
  });
const positive = (random: () => number, n: number): Float32Array => randomArray(n, random, 0.5, 2);
/** Distinct values at least 2/n apart, shuffled: no ties for max to break. */
const distinct = (random: () => number, n: number): Float32Array => {
  const v = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
};

type Attrs = Record<string, number | number[]>;
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * L = sum(op(inputs) * r) for a fixed random r: the rules' dL/dinput (seeded with r) against
 * (L(x + eps) - L(x - eps)) / 2 eps per element, L summed in float64.
 */
async function checkRule(build: (g: GraphBuilder, xs: string[]) => string, inputs: Input[], seed = 1): Promise<void> {
  const random = mulberry32(seed);
  const g = new GraphBuilder();
  const names = inputs.map((inp, k) => g.input(`x${k}`, inp.shape));
  const y = build(g, names);
  const yShape = g.shapeOf(y);
  const r = g.input('r', yShape);
  g.output(y, 'y', yShape);
  const checked = names.filter((_, k) => inputs[k]!.grad !== false);
  const grads = backprop(g, new Map([[y, r]]), checked);
  checked.forEach((name) => g.output(grads.get(name)!, `d_${name}`, g.shapeOf(name)));

  const values = inputs.map((inp) => (inp.values ?? ((rnd, n) => randomArray(n, rnd)))(random, size(inp.shape)));
  const rv = randomArray(size(yShape), random);
  const session = await ort.InferenceSession.create(g.toModel('rule'));
  const run = async (xs: Float32Array[]) => {
    const feeds: Record<string, ort.Tensor> = { r: new ort.Tensor('float32', rv, yShape) };
    xs.forEach((v, k) => (feeds[names[k]!] = new ort.Tensor('float32', v, inputs[k]!.shape)));
    return session.run(feeds);
  };
  const loss = async (xs: Float32Array[]): Promise<number> => {
    const out = (await run(xs))['y']!.data as Float32Array;
    return out.reduce((sum, v, i) => sum + v * rv[i]!, 0);
  };
  const analytic = await run(values);
  for (const [k, name] of names.entries()) {
    if (!checked.includes(name)) continue;
    const numeric = new Float64Array(values[k]!.length);
    for (let i = 0; i < numeric.length; i++) {
      const at = (delta: number) => values.map((v, j) => (j === k ? Float32Array.from(v, (x, m) => (m === i ? x + delta : x)) : v));
      numeric[i] = ((await loss(at(EPS))) - (await loss(at(-EPS)))) / (2 * EPS);
    }
    const got = analytic[`d_${name}`]!.data as Float32Array;
    expect(relErr(got, numeric), `d/d input ${k}`).toBeLessThan(TOL);
  }
  await session.release();
}

const unary = (op: string, attrs = {}) => (g: GraphBuilder, [x]: string[]) => g.op(op, [x!], attrs);
const binaryOp = (op: string) => (g: GraphBuilder, [a, b]: string[]) => g.op(op, [a!, b!]);

/** Every rule of RULES has checks below (the name of each `it` starts with the op). */
const covered = new Set<string>();
const rule = (op: string, what: string, fn: () => Promise<void>) => {
  covered.add(op);
  it(`${op}: ${what}`, fn);
};

describe('each rule matches finite differences', () => {
  rule('Add', 'same shapes', () => checkRule(binaryOp('Add'), [{ shape: [2, 3] }, { shape: [2, 3] }]));
  rule('Add', 'broadcast of a lower-rank input', () => checkRule(binaryOp('Add'), [{ shape: [2, 3, 4] }, { shape: [3, 1] }]));
  rule('Sub', 'broadcast both ways', () => checkRule(binaryOp('Sub'), [{ shape: [2, 1, 3] }, { shape: [4, 1] }]));
  rule('Mul', 'a per-channel scale', () => checkRule(binaryOp('Mul'), [{ shape: [2, 3, 2, 2] }, { shape: [1, 3, 1, 1] }]));
  rule('Mul', 'a square (both inputs one tensor)', () => checkRule((g, [x]) => g.mul(x!, x!), [{ shape: [3, 4] }]));
  rule('Relu', '', () => checkRule(unary('Relu'), [{ shape: [3, 5], values: awayFrom([0]) }]));
  rule('Elu', '', () => checkRule(unary('Elu', { alpha: { float: 1 } }), [{ shape: [3, 5], values: awayFrom([0]) }]));
  rule('LeakyRelu', '', () => checkRule(unary('LeakyRelu', { alpha: { float: 0.2 } }), [{ shape: [3, 5], values: awayFrom([0]) }]));
  rule('Sigmoid', '', () => checkRule(unary('Sigmoid'), [{ shape: [3, 5] }]));
  rule('Tanh', '', () => checkRule(unary('Tanh'), [{ shape: [3, 5] }]));
  rule('Erf', '', () => checkRule(unary('Erf'), [{ shape: [3, 5] }]));
  rule('Sqrt', '', () => checkRule(unary('Sqrt'), [{ shape: [3, 5], values: positive }]));
  rule('Reciprocal', '', () => checkRule(unary('Reciprocal'), [{ shape: [3, 5], values: positive }]));
  rule('Clip', 'between constant bounds', () =>
    checkRule((g, [x]) => g.op('Clip', [x!, g.scalar(-0.5), g.scalar(0.5)]), [{ shape: [4, 5], values: awayFrom([-0.5, 0.5]) }]));
  rule('Softmax', 'over axis 1', () => checkRule(unary('Softmax', { axis: 1 }), [{ shape: [3, 4] }]));
  rule('Reshape', '', () => checkRule((g, [x]) => g.reshape(x!, [6, -1]), [{ shape: [2, 3, 4] }]));
  rule('Flatten', '', () => checkRule(unary('Flatten', { axis: 1 }), [{ shape: [2, 3, 2, 2] }]));
  rule('Transpose', '', () => checkRule((g, [x]) => g.transpose(x!, [0, 2, 3, 1]), [{ shape: [2, 3, 2, 4] }]));
  rule('Concat', 'one input used twice', () =>
    checkRule((g, [a, b]) => g.op('Concat', [a!, b!, a!], { axis: 1 }), [{ shape: [2, 2, 3] }, { shape: [2, 1, 3] }]));
  rule('Pad', 'asymmetric', () => checkRule((g, [x]) => g.op('Pad', [x!, g.ints([0, 0, 1, 0, 0, 0, 0, 2])]), [{ shape: [1, 2, 3, 3] }]));
  rule('ReduceSum', 'axes dropped', () => checkRule((g, [x]) => g.reduceSum(x!, [1], false), [{ shape: [2, 3, 4] }]));
  rule('ReduceMean', 'axes kept', () => checkRule((g, [x]) => g.reduceMean(x!, [0, 2, 3], true), [{ shape: [2, 3, 2, 2] }]));
  rule('ReduceMax', 'axes kept', () => checkRule(unary('ReduceMax', { axes: [2, 3], keepdims: 1 }), [{ shape: [2, 2, 3, 3], values: distinct }]));
  rule('ReduceMax', 'axes dropped', () => checkRule(unary('ReduceMax', { axes: [1], keepdims: 0 }), [{ shape: [3, 4], values: distinct }]));
  rule('Gemm', 'with a bias', () => checkRule((g, [a, b, c]) => g.op('Gemm', [a!, b!, c!]), [{ shape: [3, 4] }, { shape: [4, 2] }, { shape: [2] }]));

  const conv = (attrs: Attrs) => (g: GraphBuilder, xs: string[]) => g.op('Conv', xs, attrs);
  rule('Conv', 'few channels: one GEMM over stacked patches; stride 2, padded, bias', () =>
    checkRule(conv({ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }), [{ shape: [2, 3, 5, 5] }, { shape: [4, 3, 3, 3] }, { shape: [4] }]));
  rule('Conv', 'many channels: one GEMM per kernel offset; asymmetric padding', () =>
    checkRule(conv({ kernel_shape: [3, 2], strides: [1, 1], pads: [0, 0, 1, 1] }), [{ shape: [1, 8, 4, 4] }, { shape: [3, 8, 3, 2] }]));
  rule('Conv', 'one-by-one kernel, stride 1: dx by a Conv with the transposed kernel', () =>
    checkRule(conv({ kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0] }), [{ shape: [2, 4, 3, 3] }, { shape: [5, 4, 1, 1] }]));
  rule('Conv', 'depthwise, two outputs per channel, mixed strides: dW by a grouped Conv dilated by the strides', () =>
    checkRule(conv({ kernel_shape: [3, 3], strides: [2, 1], pads: [1, 1, 1, 1], group: 3 }), [{ shape: [2, 3, 5, 4] }, { shape: [6, 1, 3, 3] }, { shape: [6] }]));
  rule('Conv', 'depthwise, stride 2, unpadded: the grouped Conv cut to the kernel where the strided window stops short of the edge', () =>
    checkRule(conv({ kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0], group: 2 }), [{ shape: [2, 2, 6, 5] }, { shape: [2, 1, 3, 3] }]));
  rule('Conv', 'depthwise, stride 1, padded, two outputs per channel: dx by a Conv with the rotated kernel', () =>
    checkRule(conv({ kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], group: 3 }), [{ shape: [2, 3, 5, 4] }, { shape: [6, 1, 3, 3] }, { shape: [6] }]));
  rule('Conv', 'depthwise, stride 1, one output per channel, non-square kernel, asymmetric padding', () =>
    checkRule(conv({ kernel_shape: [2, 3], strides: [1, 1], pads: [0, 1, 1, 1], group: 2 }), [{ shape: [2, 2, 4, 5] }, { shape: [2, 1, 2, 3] }]));
  const pool = (op: string, attrs: Attrs, outputs = 1) => (g: GraphBuilder, [x]: string[]) => g.opMulti(op, [x!], outputs, attrs)[0]!;
  rule('MaxPool', 'disjoint windows, with indices', () => checkRule(pool('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }, 2), [{ shape: [2, 2, 4, 5], values: distinct }]));
  rule('MaxPool', 'overlapping padded windows, indices made by the rule', () =>
    checkRule(pool('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }), [{ shape: [2, 2, 5, 5], values: distinct }]));
  // With padding the rule follows tfjs (divides by the whole window): checked against tfjs in layers.test.ts.
  rule('AveragePool', 'unpadded', () => checkRule(pool('AveragePool', { kernel_shape: [2, 3], strides: [1, 2] }), [{ shape: [2, 2, 4, 5] }]));

  it('covers every rule', () => expect([...covered].sort()).toEqual(Object.keys(RULES).sort()));
});

describe('the walk', () => {
  it('sums the gradients of a tensor feeding several ops', () =>
    checkRule((g, [x]) => g.add(g.mul(g.op('Relu', [x!]), g.op('Tanh', [x!])), g.mul(x!, g.scalar(3))), [{ shape: [3, 4], values: awayFrom([0]) }]));

  it('expands a lazy broadcast where it reaches an input that was broadcast along it', () =>
    checkRule((g, [x, c]) => g.reduceMean(g.add(x!, c!), [0], true), [{ shape: [2, 3] }, { shape: [1, 3] }]));

  it('differentiates batch normalisation written as plain ops (means, a square, a reciprocal root)', () =>
    checkRule((g, [x]) => {
      const xc = g.sub(x!, g.reduceMean(x!, [0, 2, 3], true));
      const variance = g.reduceMean(g.mul(xc, xc), [0, 2, 3], true);
      return g.mul(xc, g.op('Reciprocal', [g.op('Sqrt', [g.add(variance, g.scalar(1e-3))])]));
    }, [{ shape: [3, 2, 2, 2] }]));

  it('leaves out what does not lead to the tensors asked for', () => {
    const g = new GraphBuilder();
    const [a, b] = [g.input('a', [2]), g.input('b', [2])];
    const y = g.add(g.op('Tanh', [a]), g.op('Sigmoid', [b]));
    const before = g.recorded().length;
    const grads = gradients(g, y, [a]);
    expect([...grads.keys()]).toEqual([a]);
    // Expand of the seed, Tanh's rule (three ops); nothing for the Sigmoid branch.
    expect(g.recorded().slice(before).map((n) => n.opType)).not.toContain('Sigmoid');
  });

  it('names an op that has no rule', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2]);
    expect(() => gradients(g, g.op('Cos', [x]), [x])).toThrow('no gradient rule for ONNX op Cos');
  });
});

describe('logitGradient (Grad-CAM)', () => {
  // conv (relu) -> global mean -> dense: d logit / d conv output[n, c, h, w] = kernel[c, unit] / (H W).
  const spec = {
    inputShape: [4, 5, 2] as [number, number, number],
    nodes: [
      { id: 'features', layer: { type: 'conv2d' as const, filters: 3, kernel: [3, 3] as [number, number], strides: [1, 1] as [number, number], padding: 'same' as const, activation: 'relu' as const, useBias: true }, inputs: ['input'] },
      { id: 'pool', layer: { type: 'global_avgpool' as const }, inputs: ['features'] },
      { id: 'out', layer: { type: 'dense' as const, units: 2, activation: 'softmax' as const, useBias: true }, inputs: ['pool'] },
    ],
  };

  it('is the dense kernel column spread over the positions, beside the post-activation features', async () => {
    const random = mulberry32(5);
    const weights = [randomArray(3 * 3 * 2 * 3, random), randomArray(3, random), randomArray(3 * 2, random), randomArray(2, random)];
    const g = new GraphBuilder();
    const { feature, gradient, logits } = logitGradient(g, spec, 'features', 1, weights);
    g.output(feature.name, 'feature', [-1, 3, 4, 5].map((d) => (d < 0 ? 'N' : d)));
    g.output(gradient, 'gradient', ['N', 3, 4, 5]);
    g.output(logits.name, 'logits', ['N', 2]);
    const session = await ort.InferenceSession.create(g.toModel('grad-cam'));
    const out = await session.run({ x: new ort.Tensor('float32', randomArray(3 * 4 * 5 * 2, random), [3, 4, 5, 2]) });
    await session.release();
    const expected = Float32Array.from({ length: 3 * 3 * 20 }, (_, i) => weights[2]![Math.floor(i / 20) % 3 * 2 + 1]! / 20);
    expect(relErr(out['gradient']!.data as Float32Array, expected)).toBeLessThan(1e-6);
    expect(Math.min(...(out['feature']!.data as Float32Array))).toBe(0);
  });

  it('names the nodes when the id is unknown, and the units when the unit is out of range', () => {
    expect(() => logitGradient(new GraphBuilder(), spec, 'feature', 0)).toThrow("no node 'feature' in the model; its nodes are: features, pool, out");
    expect(() => logitGradient(new GraphBuilder(), spec, 'pool', 2)).toThrow('unit 2 is out of range: the model has 2 output unit(s)');
  });
});
