import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { DataFile } from './walk.js';

export type Probe =
  | { ok: true; hash: string; width: number; height: number; channels: number; format: string }
  | { ok: false; hash: string | null; reason: string };

/**
 * Hashes a file and decodes it fully: header-only metadata would pass a truncated JPEG that
 * training then fails on. The decode is shrunk on load, so it stays cheap for large images.
 */
export async function probeFile(file: DataFile): Promise<Probe> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path);
  } catch (e) {
    return { ok: false, hash: null, reason: e instanceof Error ? e.message : String(e) };
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  try {
    const meta = await sharp(bytes).metadata();
    await sharp(bytes, { failOn: 'error' }).resize(16, 16, { fit: 'fill' }).raw().toBuffer();
    if (!meta.width || !meta.height) return { ok: false, hash, reason: 'no image dimensions' };
    return { ok: true, hash, width: meta.width, height: meta.height, channels: meta.channels ?? 0, format: meta.format ?? 'unknown' };
  } catch (e) {
    return { ok: false, hash, reason: e instanceof Error ? e.message : String(e) };
  }
}
