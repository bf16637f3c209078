// Times loading the whole chest X-ray set: first load (decode + cache write) and cached load.
// Not a test: numbers for the notes. Needs src/data compiled to JS, either by the project build
// (dist/) or, while other modules do not compile yet, on its own:
//
//   npx tsc --outDir bench/out/data --rootDir src/data --module nodenext --moduleResolution nodenext \
//     --target es2022 --skipLibCheck --types node src/data/*.ts
//   node bench/data-load.mjs [data dir] [HxWxC ...]
//
// Defaults: ../shared/data/chest_xray_224 beside the repo, sizes 128x128x1 and 64x64x1.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/data/index.js', import.meta.url);
const { loadDataset } = await import(existsSync(dist) ? dist.href : new URL('./out/data/index.js', import.meta.url).href);

const [dir = new URL('../../shared/data/chest_xray_224', import.meta.url).pathname, ...sizeArgs] = process.argv.slice(2);
const sizes = (sizeArgs.length > 0 ? sizeArgs : ['128x128x1', '64x64x1']).map((s) => s.split('x').map(Number));

for (const [h, w, c] of sizes) {
  const cacheDir = await mkdtemp(join(tmpdir(), 'exp-data-bench-'));
  try {
    const opts = {
      dir,
      image: { size: [h, w], channels: c },
      validation: { from: 'val' }, // reads all three folders: every one of the 5,856 images
      seed: 1,
      onBadImage: 'fail',
      cacheDir,
    };
    const first = await loadDataset(opts);
    const cached = await loadDataset(opts);
    const n = first.train.count + first.val.count + first.test.count;
    const mb = ((first.train.x.length + first.val.x.length + first.test.x.length) * 4) / 2 ** 20;
    console.log(
      `${h}x${w}x${c}: ${n} images, ${mb.toFixed(0)} MiB float32 | first load ${first.cache.seconds.toFixed(2)} s ` +
        `(${(n / first.cache.seconds).toFixed(0)} img/s, hit=${first.cache.hit}) | cached load ${cached.cache.seconds.toFixed(2)} s (hit=${cached.cache.hit})`,
    );
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
