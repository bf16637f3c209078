import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, decodeImageBytes, decodeImages } from '../../src/data/decode.js';
import { ORIGINALS_DIR, tempDir, writeImage } from './fixtures.js';

const RGB_WIDE = join(ORIGINALS_DIR, 'person325_virus_659.jpeg'); // 445x140, 3 channels
const GRAY = join(ORIGINALS_DIR, 'IM-0206-0001.jpeg'); // 1040x747, 1 channel
const GRAY_TALL = join(ORIGINALS_DIR, 'person126_virus_255.jpeg'); // 1416x1432, 1 channel

function inUnitRange(x: Float32Array): boolean {
  return x.every((v) => v >= 0 && v <= 1);
}

describe('decodeImage on real originals', () => {
  it('knows what the originals are (guards the fixtures)', async () => {
    expect(await sharp(RGB_WIDE).metadata()).toMatchObject({ width: 445, height: 140, channels: 3 });
    expect(await sharp(GRAY).metadata()).toMatchObject({ width: 1040, height: 747, channels: 1 });
  });

  for (const file of [RGB_WIDE, GRAY, GRAY_TALL]) {
    for (const channels of [1, 3] as const) {
      it(`${file.split('/').pop()} -> 24x40x${channels}`, async () => {
        const x = await decodeImage(file, { size: [24, 40], channels });
        expect(x).toBeInstanceOf(Float32Array);
        expect(x.length).toBe(24 * 40 * channels);
        expect(inUnitRange(x)).toBe(true);
        expect(Math.max(...x)).toBeGreaterThan(0.5); // real X-ray content, not a blank buffer
        expect(Math.min(...x)).toBeLessThan(0.2);
      });
    }
  }

  it('squashes the aspect ratio (fit: fill) rather than cropping', async () => {
    const ours = await decodeImageBytes(RGB_WIDE, { size: [16, 16], channels: 3 });
    const fill = await sharp(RGB_WIDE).resize(16, 16, { fit: 'fill' }).raw().toBuffer();
    const cover = await sharp(RGB_WIDE).resize(16, 16, { fit: 'cover' }).raw().toBuffer();
    expect(Buffer.from(ours).equals(fill)).toBe(true);
    expect(Buffer.from(ours).equals(cover)).toBe(false);
  });

  it('1-channel decode of an RGB image is its luminance', async () => {
    const size: [number, number] = [32, 48];
    const gray = await decodeImageBytes(RGB_WIDE, { size, channels: 1 });
    const rgb = await sharp(RGB_WIDE).resize(size[1], size[0], { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    expect(rgb.info.channels).toBe(3);
    expectLuminance(gray, rgb.data);
  });

  it('1-channel decode of a colourful RGBA PNG is its luminance (alpha dropped)', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'rgba.png');
      await writeImage(file, 7, { size: [16, 16], channels: 4 });
      expect((await sharp(file).metadata()).channels).toBe(4);
      const gray = await decodeImageBytes(file, { size: [16, 16], channels: 1 });
      const rgb = await sharp(file).removeAlpha().raw().toBuffer();
      expect(gray.length).toBe(256);
      expectLuminance(gray, rgb);
      expect((await decodeImage(file, { size: [8, 8], channels: 3 })).length).toBe(8 * 8 * 3);
    } finally {
      await dir.cleanup();
    }
  });
});

/** Rec. 709 luminance in linear light, re-encoded to sRGB: what libvips' b-w conversion computes. */
function expectLuminance(gray: Uint8Array, rgb: Buffer): void {
  const linear = (v: number): number => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const encode = (y: number): number => 255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055);
  let worst = 0;
  for (let i = 0; i < gray.length; i++) {
    const y = 0.2126 * linear(rgb[i * 3]) + 0.7152 * linear(rgb[i * 3 + 1]) + 0.0722 * linear(rgb[i * 3 + 2]);
    worst = Math.max(worst, Math.abs(encode(y) - gray[i]));
  }
  expect(worst).toBeLessThanOrEqual(1.5);
}

describe('decodeImages', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let files: string[];
  beforeAll(async () => {
    dir = await tempDir();
    files = [join(dir.path, 'a.png'), join(dir.path, 'bad.jpeg'), join(dir.path, 'c.JPG'), join(dir.path, 'd.png')];
    await writeImage(files[0], 1, { channels: 1 });
    await writeFile(files[1], Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 97) % 256)));
    await writeImage(files[2], 3, { format: 'jpeg' });
    await writeImage(files[3], 4, { channels: 4 });
  });
  afterAll(() => dir.cleanup());

  it('fails on a corrupt file with an error naming its path', async () => {
    await expect(decodeImages(files, { size: [8, 8], channels: 1 }, { onBadImage: 'fail' })).rejects.toThrow(files[1]);
  });

  it('skips and lists a corrupt file with onBadImage skip, keeping order', async () => {
    const image = { size: [8, 8] as [number, number], channels: 3 as const };
    const out = await decodeImages(files, image, { onBadImage: 'skip', concurrency: 2 });
    expect(out.kept).toEqual([0, 2, 3]);
    expect(out.skipped).toHaveLength(1);
    expect(out.skipped[0]?.index).toBe(1);
    expect(out.skipped[0]?.reason).toContain(files[1]);
    expect(out.pixels.length).toBe(3 * 8 * 8 * 3);
    const third = await decodeImageBytes(files[3], image);
    expect(Buffer.from(out.pixels.subarray(2 * 192)).equals(Buffer.from(third))).toBe(true);
  });

  it('a missing file is an error naming it', async () => {
    const missing = join(dir.path, 'nope.png');
    await expect(decodeImage(missing, { size: [8, 8], channels: 1 })).rejects.toThrow(missing);
  });
});
