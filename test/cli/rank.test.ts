/** `exp rank` through the compiled CLI: table, --json shape, --metric and --gate, on a file store and a server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardRow } from '../../src/rank/leaderboard.js';
import { FileStore, RestStore, type TrackingStore } from '../../src/tracking/index.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';
import { EXPECTED_ORDER, seedRuns } from '../rank/seed.js';
import { TempDir } from '../record/fixtures.js';
import { ensureBuilt, exp, stackLines } from './spawn-exp.js';

interface BoardJson {
  experiment: string;
  runs: (Omit<BoardRow, 'primary' | 'baseline'> & { primary: { key: string; value: number | null }; baseline: number | null })[];
}

let dir: TempDir;
let server: MlflowTestServer;
let url: string;
beforeAll(async () => {
  ensureBuilt();
  dir = new TempDir('exp-cli-rank-');
  server = new MlflowTestServer();
  url = await server.start();
});
afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

describe.each(['file store', 'server'] as const)('exp rank on a %s', (kind) => {
  let uri: string;
  let ids: Record<string, string>;
  let store: TrackingStore;

  beforeAll(async () => {
    uri = kind === 'file store' ? dir.path('runs') : url;
    store = kind === 'file store' ? new FileStore(uri) : new RestStore(url, { env: {}, retry: { retries: 0 } });
    ids = await seedRuns(store, 'xray');
  });

  it('--json prints the board (experiment, ranked runs with verdict, metric, targets); --gate passes when the top run does', async () => {
    const r = await exp(['rank', '--tracking-uri', uri, '--json', '--gate'], { cwd: dir.root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const board = JSON.parse(r.stdout) as BoardJson;
    expect(board.experiment).toBe('xray');
    expect(board.runs.map((x) => x.runName)).toEqual(EXPECTED_ORDER);
    const top = board.runs[0]!;
    expect(Object.keys(top).sort()).toEqual(['baseline', 'primary', 'pruned', 'rank', 'runId', 'runName', 'startTime', 'targets', 'verdict']);
    expect(top).toMatchObject({ rank: 1, runId: ids['passes-high'], verdict: 'PASS', primary: { key: 'test_accuracy', value: 0.9 }, baseline: 0.5, startTime: 1_700_000_000_003 });
    expect(top.targets.map((t) => [t.name, t.metric, t.pass])).toEqual([
      ['accuracy', 'test_accuracy', true],
      ['recall', 'test_recall_A', true],
    ]);
    // A run without the metric: last, its value null (JSON has no NaN).
    expect(board.runs.at(-1)).toMatchObject({ runName: 'no-metrics', verdict: 'FAIL', primary: { key: 'test_accuracy', value: null }, baseline: null });
    expect(board.runs.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it.runIf(kind === 'file store')('prints a table by default, and --metric reorders it', async () => {
    const r = await exp(['rank', '--tracking-uri', uri, '--metric', 'test_recall_A'], { cwd: dir.root });
    expect(r.status).toBe(0);
    const [table, unfinished] = r.stdout.trimEnd().split('\n\n');
    const lines = table!.split('\n');
    expect(lines[0]).toBe('experiment xray');
    // The seeded RUNNING run records no trainer: listed apart, not ranked.
    expect(unfinished).toMatch(new RegExp(`^not ranked, not finished .*\n  RUNNING  running  ${ids['running']}  no host or pid recorded`));
    expect(lines[1]).toMatch(/^#\s+run\s+verdict\s+test_recall_A\s+accuracy \(margin\)\s+recall \(margin\)\s+baseline\s+run id$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[1])).toEqual(['passes-high', 'passes-low', 'passes-high-later', 'fails-recall', 'no-metrics']);
    expect(lines[2]).toContain(ids['passes-high']);
  });

  it('--gate exits 1 when the top run fails a target, naming it', async () => {
    const other = `gate-${kind.replace(' ', '-')}`;
    const id = await store.getOrCreateExperiment(other);
    const run = await store.createRun(id, { runName: 'misses', startTime: 1_700_000_000_000 });
    await store.logBatch(run.runId, { params: { 'targets.accuracy': '>= 0.9' }, metrics: [{ key: 'test_accuracy', value: 0.85, timestamp: 1_700_000_000_000, step: 0 }] });
    await store.updateRun(run.runId, 'FINISHED', 1_700_000_000_100);
    const r = await exp(['rank', '--tracking-uri', uri, '--experiment', other, '--gate'], { cwd: dir.root });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('misses');
    expect(r.stderr).toBe(`exp: gate failed: the top run misses (${run.runId}) does not pass every target\n`);
  });

  it.runIf(kind === 'file store')('--gate exits 1 on an experiment without a finished run; an unknown or unnamed experiment is a clear error', async () => {
    const id = await store.getOrCreateExperiment(`empty-${kind.replace(' ', '-')}`);
    await store.createRun(id, { runName: 'still-running' });
    const r = await exp(['rank', '--tracking-uri', uri, '--experiment', `empty-${kind.replace(' ', '-')}`, '--gate'], { cwd: dir.root });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('no finished runs');
    expect(r.stderr).toBe('exp: gate failed: no finished run\n');

    const unnamed = await exp(['rank', '--tracking-uri', uri], { cwd: dir.root });
    expect(unnamed.status).toBe(1);
    expect(unnamed.stderr).toMatch(/^exp: name one with --experiment \(experiments in .*xray.*\)\n$/);
    const unknown = await exp(['rank', '--tracking-uri', uri, '--experiment', 'nope'], { cwd: dir.root });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^exp: no experiment named 'nope'/);
    expect(stackLines(unknown.stderr + unnamed.stderr)).toEqual([]);
  }, 120_000);
});
