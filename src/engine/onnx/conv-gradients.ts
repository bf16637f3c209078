import type { GraphBuilder } from './graph.js';
import type { NodeDef } from './proto.js';
import type { RuleArgs } from './gradients.js';

/** Input channels from which one GEMM per kernel offset beats a single GEMM over a materialised im2col. */
const PER_OFFSET_GEMM_MIN_CHANNELS = 8;

/** The window attributes of a Conv or pool node, its input [N, C, H, W] and output [N, C', OH, OW] shapes. */
function window(g: GraphBuilder, node: NodeDef) {
  const x = g.shapeOf(node.inputs[0]!) as [number, number, number, number];
  const y = g.shapeOf(node.outputs[0]!) as [number, number, number, number];
  const kernel = (node.attrs['kernel_shape'] ?? g.shapeOf(node.inputs[1]!).slice(2)) as [number, number];
  const strides = (node.attrs['strides'] ?? [1, 1]) as [number, number];
  const pads = (node.attrs['pads'] ?? [0, 0, 0, 0]) as [number, number, number, number];
  // ConvTranspose's output_padding that restores the exact input size.
  const restored = (i: 0 | 1): number => strides[i] * (y[2 + i]! - 1) + kernel[i] - pads[i]! - pads[i + 2]!;
  const outputPadding = [x[2] - restored(0), x[3] - restored(1)];
  return { x, y, kernel, strides, pads, outputPadding, attrs: { kernel_shape: kernel, strides, pads } };
}

type Window = ReturnType<typeof window>;

/** The input, padded, sliced at each kernel offset (i, j) to the positions the strided window visits. */
function offsetSlices(g: GraphBuilder, x: string, win: Window): string[] {
  const [pt, pl, pb, pr] = win.pads;
  const padded = pt + pl + pb + pr > 0 ? g.op('Pad', [x, g.ints([0, 0, pt, pl, 0, 0, pb, pr])]) : x;
  const [oh, ow] = [win.y[2], win.y[3]];
  const slices: string[] = [];
  for (let i = 0; i < win.kernel[0]; i++) {
    for (let j = 0; j < win.kernel[1]; j++) {
      const ends = [i + (oh - 1) * win.strides[0] + 1, j + (ow - 1) * win.strides[1] + 1];
      slices.push(g.op('Slice', [padded, g.ints([i, j]), g.ints(ends), g.ints([2, 3]), g.ints(win.strides)]));
    }
  }
  return slices;
}

const unsqueeze = (g: GraphBuilder, t: string, axis: number): string => g.op('Unsqueeze', [t, g.ints([axis])]);

/**
 * dW of a dense convolution, in tfjs's [kh, kw, in, out] layout (the Transpose the lowering made it
 * with is undone by the Transpose rule's peephole): sum over batch and output positions of input
 * patch * dy, as GEMMs over strided slices of the input. Measured 2-4x faster in ORT than a Conv
 * with batch and channel axes swapped, whose im2col over an output-sized kernel is slow. With many
 * input channels each kernel offset gets its own GEMM, so no 9x-input-sized patch matrix is ever
 * materialised (same speed, a fraction of the memory); with few channels those GEMMs are too thin
 * and one GEMM over the stacked patches is faster.
 */
function denseKernelGrad(g: GraphBuilder, x: string, dy: string, win: Window): string {
  const [n, cin] = win.x;
  const filters = win.y[1];
  const [kh, kw] = win.kernel;
  const positions = n * win.y[2] * win.y[3];
  const perOffset = cin >= PER_OFFSET_GEMM_MIN_CHANNELS;
  // Per-offset slices must come out as [in, n, oh, ow] rows, so move channels first once.
  const slices = offsetSlices(g, perOffset ? g.transpose(x, [1, 0, 2, 3]) : x, win);
  const dyRows = g.reshape(g.transpose(dy, [1, 0, 2, 3]), [filters, positions]);
  const dw = perOffset
    ? g.op('Concat', slices.map((s) => unsqueeze(g, g.op('Gemm', [g.reshape(s, [cin, positions]), dyRows], { transB: 1 }), 0)), { axis: 0 })
    : // [n, kh*kw, in, oh, ow] -> rows (kh, kw, in), columns (n, oh, ow).
      g.op('Gemm', [g.reshape(g.transpose(g.op('Concat', slices.map((s) => unsqueeze(g, s, 1)), { axis: 1 }), [1, 2, 0, 3, 4]), [kh * kw * cin, positions]), dyRows], { transB: 1 });
  return g.transpose(g.reshape(dw, [kh, kw, cin, filters]), [3, 2, 0, 1]);
}

/**
 * dW of a depthwise convolution (group = input channels, weight [C*M, 1, kh, kw]) as one grouped
 * Conv: the input with batch and channels swapped ([1, C*N, H, W]: group c holds channel c of every
 * image) convolved with dy as the kernel ([C*M, N, OH, OW]), the forward's strides as dilations;
 * the output is dW's [kh, kw] window (more where the strided window stopped short of the input's
 * edge, cut off). It replaced kh*kw Slice x Mul x ReduceSum chains over the whole feature map.
 * MobileNetV2 at 128x128, batch 32, base vs this with the stride-1 input gradient below, alternating
 * bench/engine.ts runs, 2026-12-03/04: 28.8 -> 30.8 img/s median, 33.9 -> 31.8 CPU ms per image (3
 * pairs, load 2-3.5); 9.2 -> 12.4 img/s (load 7-9). Alone, per layer, it measured 0.95-1.0x the
 * chains' time (load 3); the step gains more, from fewer and smaller intermediate tensors.
 */
function depthwiseKernelGrad(g: GraphBuilder, x: string, dy: string, win: Window): string {
  const [, c, h, w] = win.x;
  const [kh, kw] = win.kernel;
  const [pt, pl, pb, pr] = win.pads;
  const images = g.reshape(g.transpose(x, [1, 0, 2, 3]), [1, -1, h, w]);
  const dw = g.op('Conv', [images, g.transpose(dy, [1, 0, 2, 3])], { kernel_shape: [win.y[2], win.y[3]], dilations: win.strides, pads: win.pads, group: c });
  const reached = [h + pt + pb - win.strides[0] * (win.y[2] - 1), w + pl + pr - win.strides[1] * (win.y[3] - 1)];
  const cut = reached[0]! > kh || reached[1]! > kw ? g.op('Slice', [dw, g.ints([0, 0]), g.ints([kh, kw]), g.ints([2, 3])]) : dw;
  return g.reshape(cut, [win.y[1], 1, kh, kw]);
}

/**
 * dx of a stride-1 Conv (dense or depthwise) as a Conv of dy with the kernel rotated 180 degrees
 * and in/out channels swapped, padded by kernel - 1 - pad: ORT's Conv runs it on MLAS's
 * convolution paths where ConvTranspose adds a col2im pass. Alone, per layer (ORT's CPU time):
 * 0.87-1.15x ConvTranspose's for MobileNetV2's depthwise layers (2026-12-04, load 3), 0.74-0.98x
 * for ResNet-18's 3x3 ones (2026-12-03, load 7); whole step, alternating with the base (load 2-3.5):
 * resnet18 width 32 x0.99, x1.06, x1.17 img/s in three sets (x1.04, x1.07 with dense layers left on
 * ConvTranspose); cnn2 x0.98, where runs of unchanged code varied +-10%. Stride 2 keeps ConvTranspose: dy upsampled with zeros (Pad) for a stride-1
 * Conv measured 2.5-4x slower, the upsampling alone costing more than the ConvTranspose.
 */
function inputGradByConv(g: GraphBuilder, w: string, dy: string, win: Window, group: number): string {
  const [cout, , kh, kw] = g.shapeOf(w) as [number, number, number, number];
  const swapped = group === 1 ? g.transpose(w, [1, 0, 2, 3]) : g.reshape(w, [group, cout / group, kh, kw]);
  const rotated = kh * kw === 1 ? swapped : g.op('Slice', [swapped, g.ints([kh - 1, kw - 1]), g.ints([-kh - 1, -kw - 1]), g.ints([2, 3]), g.ints([-1, -1])]);
  const [pt, pl, pb, pr] = win.pads;
  return g.op('Conv', [dy, rotated], { kernel_shape: [kh, kw], pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr], ...(group > 1 ? { group } : {}) });
}

/** Conv: dx by a Conv (stride 1) or ConvTranspose, dW by the offset GEMMs or the grouped Conv above, db by a sum. */
export function convGrad({ g, node, dy, want }: RuleArgs): (string | null)[] {
  const [x, w, b] = node.inputs as [string, string, string | undefined];
  const win = window(g, node);
  const group = typeof node.attrs['group'] === 'number' ? node.attrs['group'] : 1;
  const attrs = { ...win.attrs, ...(group > 1 ? { group } : {}) };
  const depthwise = group === win.x[1] && g.shapeOf(w)[1] === 1;
  const kernelGrad = (): string => {
    if (group === 1) return denseKernelGrad(g, x, dy, win);
    if (depthwise) return depthwiseKernelGrad(g, x, dy, win);
    throw new Error(`Conv gradient: groups of ${win.x[1] / group} channels are not supported`);
  };
  const byConv = (group === 1 || depthwise) && win.strides.every((s) => s === 1) && win.pads.every((p, i) => p < win.kernel[i % 2]!);
  return [
    want[0] ? (byConv ? inputGradByConv(g, w, dy, win, group) : g.op('ConvTranspose', [dy, w], { ...attrs, output_padding: win.outputPadding })) : null,
    want[1] ? kernelGrad() : null,
    b !== undefined && want[2] ? g.reduceSum(dy, [0, 2, 3], false) : null,
  ];
}

/** MaxPool: dy goes to the argmax of each window (the node's indices output, or a MaxPool that makes them). */
export function maxPoolGrad({ g, node, dy }: RuleArgs): (string | null)[] {
  const x = node.inputs[0]!;
  const win = window(g, node);
  const indices = node.outputs[1] ?? g.opMulti('MaxPool', [x], 2, node.attrs)[1]!;
  // Disjoint windows: each input gets at most one gradient, and MaxUnpool places them (measured
  // ~15-25% faster and lighter than a scatter). Overlapping windows can route several gradients to
  // one input, which tfjs sums: a scatter-add.
  const overlapping = win.strides[0] < win.kernel[0] || win.strides[1] < win.kernel[1];
  if (!overlapping) return [g.op('MaxUnpool', [dy, indices, g.shapeTensor(x)], win.attrs)];
  const shape = g.shapeOf(x);
  const size = shape.every((d) => d >= 0) ? g.ints([shape.reduce((p, d) => p * d, 1)]) : g.op('Shape', [g.reshape(x, [-1])]);
  const zeros = g.op('ConstantOfShape', [size]);
  const flat = g.op('ScatterElements', [zeros, g.reshape(indices, [-1]), g.reshape(dy, [-1])], { axis: 0, reduction: 'add' });
  return [g.op('Reshape', [flat, g.shapeTensor(x)])];
}

/**
 * AveragePool: each output's gradient spread over its window, by a ConvTranspose with a ones kernel
 * per channel. tfjs's AvgPoolGrad divides by the full window size even where a window overlaps
 * 'same' padding (the forward's count_include_pad = 0 excludes it); the rule follows tfjs so that
 * training matches it exactly.
 */
export function averagePoolGrad({ g, node, dy }: RuleArgs): (string | null)[] {
  const win = window(g, node);
  const [, c, h, w] = win.x;
  const [kh, kw] = win.kernel;
  const scaled = g.mul(dy, g.scalar(1 / (kh * kw)));
  const perChannel = g.reshape(scaled, [-1, 1, win.y[2], win.y[3]]);
  const ones = g.floatConst(new Float32Array(kh * kw).fill(1), [1, 1, kh, kw]);
  const spread = g.op('ConvTranspose', [perChannel, ones], { ...win.attrs, output_padding: win.outputPadding });
  return [g.reshape(spread, [-1, c, h, w])];
}
