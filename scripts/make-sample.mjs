#!/usr/bin/env node
// Reproduces data/sample/ (and optionally data/originals/) from full copies of the
// pediatric chest X-ray data set (Kermany, Zhang and Goldbaum 2018, CC BY 4.0).
//
//   node scripts/make-sample.mjs <chest_xray_224> <dst> [<originals_src> <originals_dst>]
//
// Per split and class it copies the N files whose SHA-256 of the file name is smallest:
// deterministic, independent of directory order, and a spread over the whole set
// (first-N-by-name would take only one naming series, e.g. no NORMAL2-* files).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const PER_CLASS = { train: 80, val: 8, test: 30 };
const CLASSES = ['NORMAL', 'PNEUMONIA'];
// Small-to-medium originals: RGB and grayscale, the most extreme aspect ratio (445x140),
// a wide and a nearly square one. Paths relative to the originals' root.
const ORIGINALS = [
  'train/PNEUMONIA/person325_virus_659.jpeg', // 445x140 RGB, aspect 3.18
  'train/PNEUMONIA/person1159_virus_1946.jpeg', // 620x359 RGB
  'train/PNEUMONIA/person1295_bacteria_3258.jpeg', // 1168x648 grayscale
  'train/PNEUMONIA/person126_virus_255.jpeg', // 1416x1432 grayscale, taller than wide
  'train/NORMAL/IM-0206-0001.jpeg', // 1040x747 grayscale
  'train/NORMAL/NORMAL2-IM-0744-0001.jpeg', // 1416x1296 grayscale
];

const [src, dst, origSrc, origDst] = process.argv.slice(2);
if (!src || !dst || (origSrc !== undefined && origDst === undefined)) {
  console.error('usage: node scripts/make-sample.mjs <chest_xray_224> <dst> [<originals_src> <originals_dst>]');
  process.exit(2);
}

const nameHash = (name) => createHash('sha256').update(name).digest('hex');
let copied = 0;
for (const [split, n] of Object.entries(PER_CLASS)) {
  for (const cls of CLASSES) {
    const from = join(src, split, cls);
    if (!existsSync(from)) throw new Error(`missing folder ${from}`);
    const picked = readdirSync(from)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .map((f) => [nameHash(f), f])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([, f]) => f);
    const to = join(dst, split, cls);
    mkdirSync(to, { recursive: true });
    for (const f of picked) copyFileSync(join(from, f), join(to, f));
    copied += picked.length;
  }
}
if (origSrc !== undefined) {
  mkdirSync(origDst, { recursive: true });
  for (const rel of ORIGINALS) copyFileSync(join(origSrc, rel), join(origDst, rel.split('/').pop()));
  copied += ORIGINALS.length;
}
console.log(`copied ${copied} files`);
