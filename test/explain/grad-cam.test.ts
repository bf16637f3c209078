/** The engine-neutral map: Grad-CAM and Grad-CAM++ from a feature map and its gradient, and the overlay drawn from it. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classActivationMap, mapPeak, type FeatureGradient } from '../../src/explain/grad-cam.js';
import { heatmapFileNames } from '../../src/explain/heatmap-files.js';
import { overlayPng, readOriginal } from '../../src/explain/overlay.js';

/** A 2x3 grid with two channels: channel 0 fires at (0, 2), channel 1 at (1, 0). */
function twoChannels(g0: number, g1: number): FeatureGradient {
  const a = new Float32Array(12);
  a[(0 * 3 + 2) * 2 + 0] = 2;
  a[(1 * 3 + 0) * 2 + 1] = 4;
  return { activations: a, gradient: new Float32Array(12).map((_, i) => (i % 2 === 0 ? g0 : g1)), shape: [2, 3, 2] };
}

describe('Grad-CAM', () => {
  it('weighs each channel by its mean gradient, drops negative evidence and scales to [0, 1]', () => {
    // weights 0.5 and 0.1: (0, 2) gets 0.5 * 2 = 1, (1, 0) gets 0.1 * 4 = 0.4
    const cam = classActivationMap(twoChannels(0.5, 0.1));
    expect(cam.shape).toEqual([2, 3]);
    expect(Array.from(cam.values)).toEqual([0, 0, 1, Math.fround(0.4), 0, 0].map((v) => expect.closeTo(v, 6)));
    expect(mapPeak(cam)).toEqual([0, 2]);
    // a channel whose gradient says "less of this class" never lights up
    const against = classActivationMap(twoChannels(0.5, -1));
    expect(against.values[3]).toBe(0);
    expect(mapPeak(against)).toEqual([0, 2]);
  });

  it('is all zeros, not NaN, when nothing raises the score', () => {
    const cam = classActivationMap(twoChannels(-1, -1));
    expect(Array.from(cam.values)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(cam.empty).toBe(true);
    expect(classActivationMap(twoChannels(1, 1)).empty).toBe(false);
  });

  it('Grad-CAM++ weighs positive gradients by the closed-form alpha', () => {
    const fg = twoChannels(0.5, 0.1);
    // alpha_k = g^2 / (2 g^2 + sum(A_k) g^3) at every position (constant gradient), w_k = sum over the 6 positions of g * alpha_k
    const w = (g: number, sumA: number): number => 6 * g * ((g * g) / (2 * g * g + sumA * g ** 3 + 1e-7));
    const w0 = w(0.5, 2);
    const w1 = w(0.1, 4);
    const cam = classActivationMap(fg, 'gradcam++');
    const top = Math.max(w0 * 2, w1 * 4);
    expect(cam.values[2]).toBeCloseTo((w0 * 2) / top, 5);
    expect(cam.values[3]).toBeCloseTo((w1 * 4) / top, 5);
    expect(cam.method).toBe('gradcam++');
  });

  it('refuses a gradient that does not match the feature map', () => {
    expect(() => classActivationMap({ ...twoChannels(1, 1), gradient: new Float32Array(5) })).toThrow(/both hold 2x3x2 values, got 12 and 5/);
  });
});

describe('the overlay', () => {
  it('keeps the image where the map is 0 and colours it red where the map peaks, at the image size', async () => {
    const width = 40;
    const height = 20;
    const gray = Buffer.alloc(width * height * 3, 128);
    const png = await sharp(gray, { raw: { width, height, channels: 3 } }).png().toBuffer();
    const image = await readOriginal({ name: 'gray.png', data: png });
    expect([image.width, image.height]).toEqual([width, height]);
    // hot in the right half only
    const cam = { values: Float32Array.from([0, 0, 1, 1, 0, 0, 1, 1]), shape: [2, 4] as [number, number], method: 'gradcam' as const, empty: false };
    const out = await sharp(await overlayPng(image, cam)).raw().toBuffer({ resolveWithObject: true });
    expect([out.info.width, out.info.height, out.info.channels]).toEqual([width, height, 3]);
    const px = (x: number, y: number): number[] => Array.from(out.data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
    expect(px(0, 10)).toEqual([128, 128, 128]);
    // the map varies along x only: every row of the overlay is the same
    for (let y = 1; y < height; y++) expect(out.data.subarray(y * width * 3, (y + 1) * width * 3)).toEqual(out.data.subarray(0, width * 3));
    // jet's top is dark red (128, 0, 0), laid over at 65%
    const [r, g, b] = px(39, 10);
    expect(r).toBeGreaterThanOrEqual(120);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it('names overlays after their files, never twice the same', () => {
    expect(heatmapFileNames(['a/x.jpeg', 'b/x.jpeg', 'c/y.png', 'x.png'], 'gradcam')).toEqual(['x.gradcam.png', 'x-2.gradcam.png', 'y.gradcam.png', 'x-3.gradcam.png']);
  });
});
