/**
 * kill -9 during file-store writes, in a loop (bounded: 12 kills): every file readers list stays
 * whole, no temp file lands in a folder MLflow lists (it takes every file in metrics/ for a
 * metric), and the next writer sweeps what the dead ones left.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStore } from '../../src/tracking/index.js';
import { ensureBuilt, REPO } from '../cli/spawn-exp.js';
import { TempDir } from '../record/fixtures.js';

const KILLS = 12;
let dir: TempDir;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-kill-');
});
afterAll(() => dir.cleanup());

/** Logs new metric keys and big tags as fast as it can, until killed. */
const WRITER = `
import { FileStore } from ${JSON.stringify(join(REPO, 'dist', 'tracking', 'file-store.js'))};
const [root, runId] = process.argv.slice(2);
const store = new FileStore(root);
const big = 'x'.repeat(4990);
console.log('ready');
for (let i = 0; ; i++) {
  await store.logBatch(runId, { metrics: [{ key: 'm' + process.pid + '_' + i, value: i, timestamp: 1700000000000, step: 0 }], tags: { ['t' + (i % 3)]: big + i } });
}
`;

function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(folder, e.name)) : [join(folder, e.name)]));
}

it('leaves no temp file in metrics/ or tags/, and the next writer sweeps the dead ones', { timeout: 120_000 }, async () => {
  const root = dir.path('runs');
  const store = new FileStore(root);
  const { runId } = await store.createRun(await store.getOrCreateExperiment('killed'), { runName: 'victim' });
  const script = dir.path('writer.mjs');
  writeFileSync(script, WRITER);
  for (let k = 0; k < KILLS; k++) {
    const child = spawn(process.execPath, [script, root, runId], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((ready) => child.stdout.once('data', ready));
    await new Promise((r) => setTimeout(r, 30 + ((k * 37) % 120)));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  const experimentId = (await store.getExperimentByName('killed'))!.experimentId;
  const runDir = join(root, experimentId, runId);
  for (const folder of ['metrics', 'tags', 'params']) {
    for (const file of walk(join(runDir, folder))) {
      expect(file).not.toMatch(/\.tmp-|@/);
      if (folder === 'metrics') expect(readFileSync(file, 'utf8')).toMatch(/^(\d+ \S+ \d+\n)+$/);
    }
  }
  const run = await store.getRun(runId);
  expect(Object.keys(run.data.metrics).length).toBeGreaterThan(0);
  for (const [key, value] of Object.entries(run.data.tags)) if (/^t\d$/.test(key)) expect(value).toMatch(/^x{4990}\d+$/);
  // The dead writers' temp files are swept by the next run created in the store.
  await new FileStore(root).createRun(experimentId, { runName: 'next' });
  const left = readdirSync(join(root, '.exp-tmp')).filter((n) => statSync(join(root, '.exp-tmp', n)).isFile());
  expect(left).toEqual([]);
});
