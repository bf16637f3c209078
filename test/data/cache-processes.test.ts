import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.js';

// Two `exp run` processes on one data set fill the image cache at the same time (`--jobs 2`).
const REPO = path.resolve(import.meta.dirname, '../..');
const SAMPLE = path.join(REPO, 'data', 'sample');
const DIST = path.join(REPO, 'dist', 'data', 'index.js');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'exp-cache-procs-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const options = { dir: SAMPLE, image: { size: [24, 24] as [number, number], channels: 1 as const }, validation: { from: 'val' as const }, seed: 1, onBadImage: 'fail' as const, cacheDir };

function loadInChild(): Promise<{ code: number | null; out: string }> {
  const script = `const { loadDataset } = await import(${JSON.stringify(DIST)});
const d = await loadDataset(${JSON.stringify(options)});
process.stdout.write(JSON.stringify({ hit: d.cache.hit, sum: d.train.x.reduce((a, b) => a + b, 0), n: d.train.count }));`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('the decoded-image cache shared by two processes', () => {
  it('is filled by both at once without corruption, then hits with identical pixels', async () => {
    const [a, b] = await Promise.all([loadInChild(), loadInChild()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [ra, rb] = [JSON.parse(a.out), JSON.parse(b.out)] as { sum: number; n: number }[];
    expect(ra).toEqual(rb);
    // One complete file per folder, no temp files left behind.
    const files = readdirSync(cacheDir, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await loadDataset(options);
    expect(again.cache.hit).toBe(true);
    expect(again.train.count).toBe(ra!.n);
    expect(again.train.x.reduce((s, v) => s + v, 0)).toBeCloseTo(ra!.sum, 3);
  });
});
