import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.js';
import { loadBackend } from '../../src/engine/tfjs/backend.js';
import { randomArray, relErr } from '../engine/tfjs-reference.js';

interface Grads { dx: Float32Array; dw: Float32Array }

/** dL/dx and dL/dW of sum(conv2d(x, w) * dy) on the current backend. */
function convGrads(x: tf.Tensor4D, w: tf.Tensor4D, dy: Float32Array, strides: [number, number], pad: 'same' | 'valid'): Grads {
  return tf.tidy(() => {
    const y = tf.conv2d(x, w, strides, pad);
    const weights = tf.tensor(dy, y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), weights)))([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

async function compare(xShape: [number, number, number, number], wShape: [number, number, number, number], strides: [number, number], pad: 'same' | 'valid'): Promise<void> {
  const random = mulberry32(11);
  const xv = randomArray(xShape.reduce((a, b) => a * b), random);
  const wv = randomArray(wShape.reduce((a, b) => a * b), random);
  const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(wShape) as tf.Tensor4D, strides, pad).shape);
  const dy = randomArray(yShape.reduce((a, b) => a * b), random);

  const onWasm = () => convGrads(tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape), dy, strides, pad);
  const before = tf.memory().numTensors;
  const wasm = onWasm();
  expect(tf.memory().numTensors - before).toBe(2); // x and w of the call above, nothing from the kernels
  await tf.setBackend('cpu');
  const cpu = convGrads(tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape), dy, strides, pad);
  await tf.setBackend('wasm');
  expect(relErr(wasm.dw, cpu.dw), 'dW').toBeLessThan(1e-5);
  expect(relErr(wasm.dx, cpu.dx), 'dx').toBeLessThan(1e-5);
}

beforeAll(async () => {
  expect(await loadBackend('wasm')).toEqual({ backend: 'wasm', device: 'CPU' });
});

describe('wasm convolution gradients match the pure-JS backend', () => {
  for (const pad of ['same', 'valid'] as const) {
    for (const s of [1, 2]) {
      it(`${pad} stride ${s}`, () => compare([2, 9, 7, 3], [3, 3, 3, 4], [s, s], pad));
    }
  }
  it('non-square kernel, mixed strides', () => compare([3, 11, 10, 2], [2, 3, 2, 5], [2, 1], 'same'));
  it('kernel 5 stride 3, rows left over', () => compare([2, 10, 11, 2], [5, 5, 2, 3], [3, 3], 'same'));
  it('many channels, valid, even input', () => compare([2, 12, 12, 16], [3, 3, 16, 8], [1, 1], 'valid'));
  it('frees every intermediate on the backend', async () => {
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const dy = new Float32Array(2 * 8 * 8 * 4).fill(1);
    convGrads(x, w, dy, [1, 1], 'same');
    const held = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) convGrads(x, w, dy, [1, 1], 'same');
    expect(tf.engine().backend.numDataIds()).toBe(held);
  });
});
