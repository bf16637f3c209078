import sharp from 'sharp';
import { sourceName, type DecodeLimits, type ImageSource } from '../data/index.js';
import { DataError } from '../data/errors.js';
import type { ClassActivationMap } from './grad-cam.js';

/** 8-bit RGB pixels, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Overlays are drawn at most this many pixels on their longest side: enough to read, small enough to send. */
export const OVERLAY_MAX_SIDE = 1024;

/**
 * The image as the user knows it (its own aspect ratio, not the model's squashed input), in
 * sRGB, scaled down to `maxSide`. Like training's decode it ignores EXIF orientation, so the
 * map lands on the pixels the model saw.
 */
export async function readOriginal(source: ImageSource, limits: DecodeLimits = {}, maxSide = OVERLAY_MAX_SIDE): Promise<RgbImage> {
  const input = typeof source === 'string' ? source : Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength);
  try {
    const { data, info } = await sharp(input, limits.maxInputPixels ? { limitInputPixels: limits.maxInputPixels } : {})
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw new DataError(`cannot decode image ${sourceName(source)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Model input pixels in [0, 1] (HWC, 1 or 3 channels) as 8-bit RGB: what the model saw, to draw a map on. */
export function rgbPixels(pixels: Float32Array, [height, width, channels]: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(pixels[p * channels + (channels === 3 ? c : 0)]! * 255)));
  }
  return { data, width, height };
}

/** The classic 'jet' colour scale (blue, cyan, yellow, red) at t in [0, 1]. */
function jet(t: number): [number, number, number] {
  const c = (x: number): number => Math.round(255 * Math.max(0, Math.min(1, 1.5 - Math.abs(4 * t - x))));
  return [c(3), c(2), c(1)];
}

/** For each of `n` output pixels along an axis of `size` map cells: the two cells it lies between (cell centres) and the weight of the second. */
function axisWeights(n: number, size: number): { lo: Int32Array; hi: Int32Array; t: Float32Array } {
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const f = Math.max(0, Math.min(size - 1, ((i + 0.5) * size) / n - 0.5));
    lo[i] = Math.floor(f);
    hi[i] = Math.min(size - 1, lo[i]! + 1);
    t[i] = f - lo[i]!;
  }
  return { lo, hi, t };
}

/** The map stretched over the whole image (as the input was squashed to the model's size), bilinear between cell centres. */
function stretch(cam: ClassActivationMap, width: number, height: number): Float32Array {
  const [h, w] = cam.shape;
  const cols = axisWeights(width, w);
  const rows = axisWeights(height, h);
  // Along x first, per map row; then along y between the two stretched rows.
  const wide = new Float32Array(h * width);
  for (let r = 0; r < h; r++) {
    for (let x = 0; x < width; x++) wide[r * width + x] = cam.values[r * w + cols.lo[x]!]! * (1 - cols.t[x]!) + cam.values[r * w + cols.hi[x]!]! * cols.t[x]!;
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const a = rows.lo[y]! * width;
    const b = rows.hi[y]! * width;
    const ty = rows.t[y]!;
    for (let x = 0; x < width; x++) out[y * width + x] = wide[a + x]! * (1 - ty) + wide[b + x]! * ty;
  }
  return out;
}

/**
 * The image with the map laid over it as a PNG: colour in proportion to the map (opacity
 * 0.65 * sqrt(value)), so where the model did not look the X-ray shows untouched.
 */
export async function overlayPng(image: RgbImage, cam: ClassActivationMap): Promise<Uint8Array> {
  const { width, height } = image;
  const heat = stretch(cam, width, height);
  const out = Buffer.alloc(width * height * 3);
  for (let p = 0; p < heat.length; p++) {
    const t = Math.max(0, Math.min(1, heat[p]!));
    const alpha = 0.65 * Math.sqrt(t);
    const colour = jet(t);
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(image.data[p * 3 + c]! * (1 - alpha) + colour[c]! * alpha);
  }
  const png = await sharp(out, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
