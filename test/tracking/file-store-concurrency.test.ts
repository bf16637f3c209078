/**
 * Two processes writing one file store at once (e.g. parallel `exp run`s, or a run and `exp sync`)
 * must not corrupt it. The children run the real FileStore, transpiled to plain JS for plain node.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/tracking/file-store.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const POINTS = 300;

/** What each child does: create the same experiment, then append POINTS points to one shared metric. */
const WRITER = `
import { FileStore } from './tracking/file-store.js';
const [root, runId, writer] = process.argv.slice(2);
const store = new FileStore(root);
// Start barrier: wait for the parent's go, so both writers really run at the same time.
console.log('ready');
await new Promise((go) => process.stdin.once('data', go));
process.stdin.pause();
const experimentId = await store.getOrCreateExperiment('raced');
const result = { experimentId, paramError: null };
try {
  await store.logBatch(runId, { params: { shared: 'same', owner: writer } });
} catch (err) {
  result.paramError = err.code;
}
for (let step = 0; step < ${POINTS}; step++) {
  await store.logBatch(runId, { metrics: [{ key: 'loss', value: Number(writer) + step / 1000, timestamp: 1700000000000 + step, step }] });
}
console.log(JSON.stringify(result));
`;

/** Starts the writers, releases them together once all have loaded, and resolves to their results. */
async function runWriters(script: string, argsPerWriter: string[][]): Promise<string[]> {
  const children = argsPerWriter.map((args) => spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const outputs = children.map(
    (child) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out.replace(/^ready\n/, '')) : reject(new Error(`writer exited ${code}: ${err}`))));
      }),
  );
  await Promise.all(children.map((child) => new Promise((ready) => child.stdout.once('data', ready))));
  for (const child of children) child.stdin.end('go\n');
  return Promise.all(outputs);
}

describe('FileStore under concurrent writers', () => {
  let work: string;
  let root: string;
  let script: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'exp-concurrency-'));
    root = join(work, 'store');
    for (const folder of ['tracking', 'text', 'core']) {
      const out = join(work, folder);
      await mkdir(out);
      const srcDir = join(repo, 'src', folder);
      for (const file of await readdir(srcDir)) {
        if (!file.endsWith('.ts')) continue;
        const source = await readFile(join(srcDir, file), 'utf8');
        const { outputText } = ts.transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        await writeFile(join(out, file.replace(/\.ts$/, '.js')), outputText);
      }
    }
    await writeFile(join(work, 'package.json'), '{"type":"module"}');
    await symlink(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir'); // for `yaml`
    script = join(work, 'writer.js');
    await writeFile(script, WRITER);
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('two processes: one experiment, every metric line intact, one param winner', async () => {
    const store = new FileStore(root);
    const experimentId = await store.getOrCreateExperiment('raced');
    const { runId } = await store.createRun(experimentId, { runName: 'shared' });
    await rm(join(root, experimentId, 'meta.yaml')); // make both children create the experiment again, racing

    const outputs = await runWriters(script, [
      [root, runId, '1'],
      [root, runId, '2'],
    ]);
    const results = outputs.map((o) => JSON.parse(o) as { experimentId: string; paramError: string | null });

    expect(results.map((r) => r.experimentId)).toEqual([experimentId, experimentId]);
    expect((await store.listExperiments()).filter((e) => e.name === 'raced')).toHaveLength(1);
    // `owner` differs between the writers: exactly one may set it.
    expect(results.map((r) => r.paramError).sort()).toEqual(['INVALID_PARAMETER_VALUE', null]);

    const text = await readFile(join(root, experimentId, runId, 'metrics', 'loss'), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2 * POINTS);
    for (const line of lines) expect(line).toMatch(/^\d{13} [12](\.\d+)? \d+$/);
    // How much the writers overlap is up to the scheduler (on an idle machine they interleave hundreds of times).
    const history = await store.getMetricHistory(runId, 'loss');
    for (const writer of [1, 2]) {
      const steps = history.filter((m) => Math.floor(m.value) === writer).map((m) => m.step);
      expect(steps).toEqual(Array.from({ length: POINTS }, (_, i) => i));
    }
    const run = await store.getRun(runId);
    expect(run.data.params['shared']).toBe('same');
    expect(['1', '2']).toContain(run.data.params['owner']);
  });

  it('many concurrent calls in one process: one experiment, no lost or torn lines', async () => {
    const stores = [new FileStore(root), new FileStore(root)];
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.getOrCreateExperiment('burst')));
    expect(new Set(ids).size).toBe(1);
    const { runId } = await stores[0]!.createRun(ids[0]!, { runName: 'burst' });
    await Promise.all(
      Array.from({ length: 200 }, (_, step) =>
        stores[step % 2]!.logBatch(runId, { metrics: [{ key: 'a/b', value: step, timestamp: 1700000000000, step }] }),
      ),
    );
    const history = await stores[1]!.getMetricHistory(runId, 'a/b');
    expect(history.map((m) => m.step).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
