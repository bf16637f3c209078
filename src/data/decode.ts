import sharp, { type OutputInfo } from 'sharp';
import { DataError } from './errors.js';

export interface ImageSpec {
  /** Output size as [height, width]. */
  size: [number, number];
  /** 1 = grayscale (luminance), 3 = sRGB. */
  channels: 1 | 3;
}

export interface SkippedImage {
  file: string;
  reason: string;
}

export type OnBadImage = 'fail' | 'skip';

/** An image file's path, or an image already in memory (an upload) with a name for messages. */
export type ImageSource = string | { name: string; data: Uint8Array };

export const sourceName = (source: ImageSource): string => (typeof source === 'string' ? source : source.name);

export interface DecodeLimits {
  /** refuse images with more pixels than this before decoding them (sharp's limitInputPixels; its default is 16383 x 16383) */
  maxInputPixels?: number;
}

/**
 * Decodes one image file of any size and colour type to `size` x `channels` uint8 pixels,
 * row-major HWC. `fit: 'fill'` squashes the aspect ratio instead of cropping or padding, as the
 * 224x224 copy of the chest X-ray set (and the study it comes from) did. Colour is explicit so
 * that the channel count never depends on the input: alpha is dropped, then 'b-w' gives real
 * 1-channel luminance even for RGB input, 'srgb' gives 3 channels even for grayscale input.
 */
export async function decodeImageBytes(source: ImageSource, image: ImageSpec, limits: DecodeLimits = {}): Promise<Uint8Array> {
  const [height, width] = image.size;
  const path = sourceName(source);
  const input = typeof source === 'string' ? source : Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength);
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(input, limits.maxInputPixels ? { limitInputPixels: limits.maxInputPixels } : {})
      .resize(width, height, { fit: 'fill' })
      .removeAlpha()
      .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' }) // 16-bit PNGs come out 8-bit too
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DataError(`cannot decode image ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { info, data } = out;
  if (info.width !== width || info.height !== height || info.channels !== image.channels) {
    throw new DataError(`decoding ${path} gave ${info.height}x${info.width}x${info.channels}, expected ${height}x${width}x${image.channels}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** One image as float32 in [0, 1], HWC (e.g. for prediction on a single file or an upload). */
export async function decodeImage(source: ImageSource, image: ImageSpec, limits: DecodeLimits = {}): Promise<Float32Array> {
  return bytesToUnitFloat(await decodeImageBytes(source, image, limits));
}

const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** uint8 pixels -> float32 in [0, 1] (v / 255). */
export function bytesToUnitFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = UNIT[bytes[i]];
  return out;
}

export interface DecodedBatch {
  /** Pixels of the decoded images only, back to back, in input order. */
  pixels: Uint8Array;
  /** Indices into the input of the images that were decoded (all of them unless some were skipped). */
  kept: number[];
  /** Input indices of skipped images, with the reason. */
  skipped: { index: number; reason: string }[];
}

/**
 * Decodes many files with a few decodes in flight: sharp works on libuv threads, so a small
 * pool overlaps file reads and decoding without oversubscribing the cores.
 */
export async function decodeImages(
  paths: string[],
  image: ImageSpec,
  opts: { onBadImage: OnBadImage; concurrency?: number; onDecoded?: () => void },
): Promise<DecodedBatch> {
  const per = image.size[0] * image.size[1] * image.channels;
  const pixels = new Uint8Array(paths.length * per);
  const ok = new Array<boolean>(paths.length).fill(false);
  const skipped: { index: number; reason: string }[] = [];
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < paths.length) {
      const index = next++;
      try {
        pixels.set(await decodeImageBytes(paths[index], image), index * per);
        ok[index] = true;
      } catch (err) {
        if (opts.onBadImage === 'fail' || !(err instanceof DataError)) {
          failed = true;
          throw err;
        }
        skipped.push({ index, reason: err.message });
      }
      opts.onDecoded?.();
    }
  };
  const pool = Math.max(1, Math.min(opts.concurrency ?? 4, paths.length));
  await Promise.all(Array.from({ length: pool }, worker));
  skipped.sort((a, b) => a.index - b.index);
  if (skipped.length === 0) return { pixels, kept: ok.map((_, i) => i), skipped };
  const kept = ok.flatMap((good, i) => (good ? [i] : []));
  const compact = new Uint8Array(kept.length * per);
  kept.forEach((from, to) => compact.set(pixels.subarray(from * per, (from + 1) * per), to * per));
  return { pixels: compact, kept, skipped };
}
