import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { DecodedBatch, ImageSpec } from './decode.js';
import type { ImageFile } from './scan.js';

/** Bump when the decode or the file layout changes: old entries then simply miss. */
const FORMAT_VERSION = 2;
const MAGIC = Buffer.from('EXPDATA1', 'latin1');

interface Header {
  version: number;
  key: string;
  height: number;
  width: number;
  channels: number;
  /** Number of input files; `kept` = all of them minus `skipped`. */
  total: number;
  skipped: { index: number; reason: string }[];
  /** zlib crc32 of the pixel bytes, so a corrupted (not only truncated) file is caught. */
  crc: number;
}

/** Hash of what the decoded pixels depend on: the files (by data-dir-relative path and content hash), size, channels. */
export function cacheKey(files: ImageFile[], image: ImageSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: FORMAT_VERSION, size: image.size, channels: image.channels }));
  for (const f of files) h.update(`\n${f.rel}\t${f.sha256}`);
  return h.digest('hex').slice(0, 32);
}

/**
 * One file per (split, key): 'EXPDATA1', u32 LE header length, JSON header, uint8 HWC pixels.
 * A single file means a single atomic rename, so a reader sees a whole entry or none.
 */
export function cachePath(cacheDir: string, split: string, key: string): string {
  return join(cacheDir, `${split}-${key}.bin`);
}

/** The cached batch, or null when absent, or written by another version, or damaged in any way. */
export async function readCache(cacheDir: string, split: string, key: string, image: ImageSpec): Promise<DecodedBatch | null> {
  const buf = await readFile(cachePath(cacheDir, split, key)).catch(() => null);
  if (buf === null || buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const headerLen = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + headerLen;
  if (start > buf.length) return null;
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(MAGIC.length + 4, start).toString('utf8')) as Header;
  } catch {
    return null;
  }
  const [height, width] = image.size;
  const sameEntry =
    header.version === FORMAT_VERSION &&
    header.key === key &&
    header.height === height &&
    header.width === width &&
    header.channels === image.channels &&
    Number.isInteger(header.total) &&
    Array.isArray(header.skipped);
  if (!sameEntry) return null;
  const kept = keptIndices(header);
  const pixels = new Uint8Array(buf.buffer, buf.byteOffset + start, buf.length - start);
  const intact = pixels.length === kept.length * height * width * image.channels && crc32(pixels) === header.crc;
  return intact ? { pixels, kept, skipped: header.skipped } : null;
}

/**
 * Writes to a uniquely named temp file, then renames it into place (atomic on one file system):
 * two processes filling the cache at once each rename a complete, identical file.
 */
export async function writeCache(cacheDir: string, split: string, key: string, image: ImageSpec, batch: DecodedBatch): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const header: Header = {
    version: FORMAT_VERSION,
    key,
    height: image.size[0],
    width: image.size[1],
    channels: image.channels,
    total: batch.kept.length + batch.skipped.length,
    skipped: batch.skipped,
    crc: crc32(batch.pixels),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const final = cachePath(cacheDir, split, key);
  const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([MAGIC, len, json, batch.pixels]));
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function keptIndices(header: Header): number[] {
  const skipped = new Set(header.skipped.map((s) => s.index));
  return Array.from({ length: header.total }, (_, i) => i).filter((i) => !skipped.has(i));
}
