/**
 * Convolution gradients for tfjs's WebAssembly backend, built from its fast (XNNPACK) Conv2D.
 * The backend has no Conv2DBackpropFilter kernel at all, so training a CNN on it fails, and its
 * own Conv2DBackpropInput is a plain loop several times slower than Conv2D.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;

/** Runs another wasm kernel directly; intermediates are disposed by the caller, as tfjs's own kernels do. */
function run(backend: tf.KernelBackend, name: string, inputs: Record<string, Info>, attrs: Attrs = {}): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Calls `body` with a `keep` that marks intermediates, and disposes them once it returns. */
function withIntermediates(backend: tf.KernelBackend, body: (keep: (t: Info) => Info) => Info): Info {
  const temps: Info[] = [];
  try {
    return body((t) => (temps.push(t), t));
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

const paddingOf = (top: number, bottom: number, left: number, right: number) => ({ paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });

/**
 * dW[i, j, c, o] = sum over n, p, q of xpad[n, p*sh + i, q*sw + j, c] * dy[n, p, q, o]: a convolution
 * of the input with batch and channels swapped ([C, H, W, N]) by dy as the filter ([OH, OW, N, O]),
 * dilated by the stride; its output is [C, kh, kw, O] (cut to size when the stride leaves rows over).
 */
const backpropFilter: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as tf.KernelBackend; // kernels get their own backend, typed loosely by tfjs
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const [kh, kw, cin, cout] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  return withIntermediates(backend, (keep) => {
    const xp = top + bottom + left + right > 0 ? keep(run(backend, 'PadV2', { x }, paddingOf(top, bottom, left, right))) : x;
    const xT = keep(run(backend, 'Transpose', { x: xp }, { perm: [3, 1, 2, 0] }));
    const dyT = keep(run(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
    const full = keep(run(backend, 'Conv2D', { x: xT, filter: dyT }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth] }));
    const cut = full.shape[1] === kh && full.shape[2] === kw ? full : keep(run(backend, 'Slice', { x: full }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] }));
    return run(backend, 'Transpose', { x: cut }, { perm: [1, 2, 0, 3] });
  });
};

/**
 * With stride 1, dx[n, h, w, c] = sum of dy[n, h + top - i, w + left - j, o] * W[i, j, c, o]: a 'valid'
 * convolution of dy, padded by kernel - 1 - pad in front, with the kernel flipped and in/out swapped.
 * Strided convolutions keep the backend's own kernel.
 */
function backpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const { strides, pad, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const [kh, kw] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return original(args);
    const backend = args.backend as tf.KernelBackend;
    const [, h, w] = inputShape;
    const { top, left } = info.padInfo;
    const [, oh, ow] = dy.shape as [number, number, number, number];
    return withIntermediates(backend, (keep) => {
      const dyp = keep(run(backend, 'PadV2', { x: dy }, paddingOf(kh - 1 - top, h - oh + top, kw - 1 - left, w - ow + left)));
      const flipped = keep(run(backend, 'Reverse', { x: filter }, { dims: [0, 1] }));
      const swapped = keep(run(backend, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }));
      return run(backend, 'Conv2D', { x: dyp, filter: swapped }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 });
    });
  };
}

let registered = false;

/** Registers the kernels above for the 'wasm' backend (once). */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: backpropFilter });
  const own = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (own) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...own, kernelFunc: backpropInput(own.kernelFunc) });
  }
}
