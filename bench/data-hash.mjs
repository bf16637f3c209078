// What keying the data cache on content costs: stat() of every image against reading and
// hashing it (sha1, sha256), 8 files in flight as src/data/scan.ts reads them. Not a test.
//
//   node bench/data-hash.mjs [data dir]     (default: ../shared/data/chest_xray_224)
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.argv[2] ?? new URL('../../shared/data/chest_xray_224', import.meta.url).pathname;
const files = [];
for (const s of await readdir(dir)) for (const c of await readdir(join(dir, s))) for (const f of await readdir(join(dir, s, c))) files.push(join(dir, s, c, f));

async function pool(f, n = 8) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < files.length) await f(files[i++]); }));
}
const time = async (f) => { const t = performance.now(); await pool(f); return performance.now() - t; };

for (let round = 1; round <= 3; round++) {
  let bytes = 0;
  const res = {
    stat: await time((p) => stat(p)),
    read: await time(async (p) => { const b = await readFile(p); bytes += b.length; }),
    'read+sha1': await time(async (p) => { createHash('sha1').update(await readFile(p)).digest('hex'); }),
    'read+sha256': await time(async (p) => { createHash('sha256').update(await readFile(p)).digest('hex'); }),
  };
  console.log(`round ${round}: ${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB: ${Object.entries(res).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);
}
