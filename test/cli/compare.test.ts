/** `exp compare` through the compiled CLI on real tiny runs: on a file store and a server, and refusing different test sets. */
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { runAll } from '../../src/runner/run-all.js';
import { FileStore, RestStore, type TrackingStore } from '../../src/tracking/index.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';
import { quiet, SAMPLE, TempDir, tinyYaml } from '../record/fixtures.js';
import { ensureBuilt, exp, stackLines } from './spawn-exp.js';

let dir: TempDir;
let server: MlflowTestServer;
let url: string;
beforeAll(async () => {
  ensureBuilt();
  dir = new TempDir('exp-cli-compare-');
  server = new MlflowTestServer();
  url = await server.start();
});
afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

/** Trains the named tiny runs (seeds apart, so their predictions differ) and returns their run ids. */
async function train(store: TrackingStore, runs: { name: string; seed: number; dataDir?: string }[]): Promise<string[]> {
  const files = runs.map((r) => loadRuns(dir.write(`${r.name}.yaml`, tinyYaml({ experiment: 'cmp', name: r.name, ...(r.dataDir ? { dataDir: r.dataDir } : {}) }).replace('seed: 7', `seed: ${r.seed}`))));
  const outcomes = await runAll(files, store, quiet(), false);
  return outcomes.map((o) => o.runId!);
}

describe.each(['file store', 'server'] as const)('exp compare on a %s', (kind) => {
  let uri: string;
  let ids: string[];
  beforeAll(async () => {
    uri = kind === 'file store' ? dir.path('runs') : url;
    const store = kind === 'file store' ? new FileStore(uri) : new RestStore(url, { env: {}, retry: { retries: 0 } });
    ids = await train(store, [
      { name: `a-${kind.replace(' ', '-')}`, seed: 1 },
      { name: `b-${kind.replace(' ', '-')}`, seed: 2 },
    ]);
  }, 120_000);

  it('prints each metric tested, by run name, with McNemar for accuracy and the bootstrap for the rest', async () => {
    const [a, b] = [`a-${kind.replace(' ', '-')}`, `b-${kind.replace(' ', '-')}`];
    const r = await exp(['compare', a, b, '--tracking-uri', uri, '--resamples', '500'], { cwd: dir.root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`a: ${a} (${ids[0]})`);
    expect(lines[1]).toBe(`b: ${b} (${ids[1]})`);
    expect(lines[2]).toMatch(/^same test set of 60 images; \d+ right only by a, \d+ only by b$/);
    const verdicts = lines.filter((l) => l.startsWith('  '));
    expect(verdicts.map((l) => / on (.*?) \(/.exec(l)?.[1])).toEqual(['accuracy', 'AUC', 'NORMAL recall', 'PNEUMONIA recall']);
    for (const l of verdicts) expect(l).toMatch(/^ {2}(no significant difference on .* \(b - a [+-]\d\.\d\d|(a|b) is better than (a|b) on .* \([+-]\d\.\d\d), 95% CI [+-]\d\.\d\d\.\.[+-]\d\.\d\d, p [=<] \d\.\d{3}\) {2}\[a \d\.\d{3}, b \d\.\d{3}\]$/);
    expect(lines.at(-1)).toMatch(/^(no significant difference|((a|b) is better on [^;]+(; )?){1,2})$/);
  });

  it('--json gives the figures; the same seed, the same intervals', async () => {
    const args = ['compare', ids[0]!, ids[1]!.slice(0, 12), '--tracking-uri', uri, '--json', '--resamples', '300', '--seed', '4'];
    const [first, second] = [await exp(args, { cwd: dir.root }), await exp(args, { cwd: dir.root })];
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    const json = JSON.parse(first.stdout) as { a: { runId: string }; images: number; metrics: { key: string; test: string; a: number; b: number; diff: number; p: number }[] };
    expect(json.a.runId).toBe(ids[0]);
    expect(json.images).toBe(60);
    expect(json.metrics.map((m) => [m.key, m.test])).toEqual([['accuracy', 'mcnemar'], ['auc', 'paired bootstrap'], ['recall_NORMAL', 'paired bootstrap'], ['recall_PNEUMONIA', 'paired bootstrap']]);
    for (const m of json.metrics) expect(m.diff).toBeCloseTo(m.b - m.a, 12);
  });
});

describe('exp compare refuses', () => {
  it('runs on different test sets, the same run twice, unknown runs: one line, exit 1, no stack trace', async () => {
    const uri = dir.path('refuse');
    const copy = dir.path('fewer');
    cpSync(SAMPLE, copy, { recursive: true });
    const normal = path.join(copy, 'test', 'NORMAL');
    rmSync(path.join(normal, readdirSync(normal)[0]!));
    const [a, c] = await train(new FileStore(uri), [{ name: 'full', seed: 1 }, { name: 'fewer', seed: 1, dataDir: copy }]);
    const refused = await exp(['compare', a!, c!, '--tracking-uri', uri], { cwd: dir.root });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^exp: the runs were tested on different test sets \(60 vs 59 images, 1 not in both, e\.g\. test\/NORMAL\/.*\): only runs on the same test set can be compared\n$/);
    const same = await exp(['compare', 'full', a!, '--tracking-uri', uri], { cwd: dir.root });
    expect(same.stderr).toBe(`exp: 'full' and '${a}' are the same run (${a}): name two runs\n`);
    const unknown = await exp(['compare', 'full', 'nope', '--tracking-uri', uri], { cwd: dir.root });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("no run with id, id prefix or name 'nope'");
    for (const r of [refused, same, unknown]) expect(stackLines(r.stderr)).toEqual([]);
  }, 120_000);
});
