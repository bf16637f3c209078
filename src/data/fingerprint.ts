import { createHash } from 'node:crypto';
import type { LabeledFiles } from './labels.js';

/** Hash of the used splits' file lists with content hashes: identifies the data, not the decode. */
export function fingerprintOf(scanned: LabeledFiles[]): string {
  const hash = createHash('sha256');
  for (const s of scanned) for (const f of s.files) hash.update(`${f.rel}\t${f.sha256}\n`);
  return hash.digest('hex');
}
