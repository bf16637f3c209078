// Latency per image of a running `exp serve`: POST /predict without and with ?explain=1,
// alternating, one request at a time, then 8 at a time without a heatmap. Not a test.
//
//   npx exp serve --run <id> --port 8080 &
//   node bench/serve-latency.mjs http://127.0.0.1:8080 <image folder> [requests per kind, default 40]
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const [url, dir, n = '40'] = process.argv.slice(2);
if (!url || !dir) throw new Error('usage: node bench/serve-latency.mjs <server url> <image folder> [n]');
const files = (await readdir(dir, { recursive: true })).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
const bodies = await Promise.all(files.slice(0, Number(n)).map((f) => readFile(join(dir, f))));

async function post(body, query = '') {
  const t = performance.now();
  const res = await fetch(`${url}/predict${query}`, { method: 'POST', body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return performance.now() - t;
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))].toFixed(1);
const plain = [];
const explained = [];
for (let i = 0; i < Number(n); i++) {
  const body = bodies[i % bodies.length];
  plain.push(await post(body));
  explained.push(await post(body, '?explain=1'));
}
console.log(`one at a time, ${n} requests each: predict p50 ${quantile(plain, 0.5)} ms, p90 ${quantile(plain, 0.9)} ms; with heatmap p50 ${quantile(explained, 0.5)} ms, p90 ${quantile(explained, 0.9)} ms`);
const concurrent = [];
let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: 8 }, async () => { while (next < 200) concurrent.push(await post(bodies[next++ % bodies.length])); }));
console.log(`200 requests 8 at a time: p50 ${quantile(concurrent, 0.5)} ms, p99 ${quantile(concurrent, 0.99)} ms, ${(200 / ((performance.now() - t0) / 1000)).toFixed(0)} requests/s`);
