import type { Padding } from '../../model/spec.js';

/** Output size and [begin, end] padding of one spatial axis, with TF's 'same' rule (extra pad at the end). */
function axisPadding(size: number, kernel: number, stride: number, padding: Padding): { out: number; begin: number; end: number } {
  if (padding === 'valid') return { out: Math.floor((size - kernel) / stride) + 1, begin: 0, end: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const begin = Math.floor(total / 2);
  return { out, begin, end: total - begin };
}

export interface Window2d {
  outH: number;
  outW: number;
  /** ONNX order: [top, left, bottom, right]. */
  pads: [number, number, number, number];
  /** ConvTranspose output_padding that restores the exact input size. */
  outputPadding: [number, number];
}

export function window2d(h: number, w: number, kernel: [number, number], strides: [number, number], padding: Padding): Window2d {
  const ph = axisPadding(h, kernel[0], strides[0], padding);
  const pw = axisPadding(w, kernel[1], strides[1], padding);
  if (ph.out < 1 || pw.out < 1) throw new Error(`window ${kernel.join('x')} does not fit input ${h}x${w}`);
  const restored = (out: number, k: number, s: number, b: number, e: number): number => s * (out - 1) + k - b - e;
  return {
    outH: ph.out,
    outW: pw.out,
    pads: [ph.begin, pw.begin, ph.end, pw.end],
    outputPadding: [h - restored(ph.out, kernel[0], strides[0], ph.begin, ph.end), w - restored(pw.out, kernel[1], strides[1], pw.begin, pw.end)],
  };
}
