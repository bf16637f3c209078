/**
 * `exp run` and `exp sync` end to end: KILLED on SIGINT/SIGTERM (never left RUNNING), FAILED with
 * the error as a tag and a clear message, the board position printed at the end, and runs kept
 * offline while the server was away pushed later by `exp sync`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOne } from '../../src/runner/run-all.js';
import { openStore } from '../../src/tracking/index.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';
import { runFolder, runsIn } from '../helpers/file-store-runs.js';
import { captured, SAMPLE, TempDir, tinyExperiment, tinyYaml } from '../record/fixtures.js';
import { ensureBuilt, exp, stackLines, startExp, waitFor } from './spawn-exp.js';

let dir: TempDir;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-cli-run-');
});
afterAll(() => dir.cleanup());


describe.each(['SIGINT', 'SIGTERM'] as const)('exp run interrupted by %s', (signal) => {
  it('closes the run as KILLED (status 5, with an end time) and exits non-zero', async () => {
    const root = path.join(dir.root, `killed-${signal}`);
    mkdirSync(root);
    const file = path.join(root, 'long.yaml');
    dir.write(path.relative(dir.root, file), tinyYaml({ name: `long-${signal}`, size: 32, epochs: 500 }));
    const runs = path.join(root, 'runs');
    const { child, done, output } = startExp(['run', file, '--tracking-uri', runs], { cwd: root });
    // Interrupt once training is under way: the run exists and an epoch metric is written.
    const folder = await waitFor(() => {
      const f = runFolder(runs);
      return f && existsSync(path.join(f, 'metrics', 'val_loss')) ? f : undefined;
    }, 50_000, `an epoch metric (output so far: ${output()})`);
    expect((parse(readFileSync(path.join(folder, 'meta.yaml'), 'utf8')) as { status: number }).status).toBe(1);
    child.kill(signal);
    const r = await done;
    expect(r.status === null ? r.signal : r.status).not.toBe(0);
    expect(r.status).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(r.stdout).toContain(`${signal}: closing the run as KILLED`);
    const meta = parse(readFileSync(path.join(folder, 'meta.yaml'), 'utf8')) as { status: number; end_time: unknown; start_time: number };
    expect(meta.status).toBe(5);
    expect(Number.isInteger(meta.end_time)).toBe(true);
    expect(meta.end_time as number).toBeGreaterThanOrEqual(meta.start_time);
    // It never made it to the board.
    expect(r.stdout).not.toContain('leaderboard of');
  }, 90_000);
});

describe('exp run that fails after the run started', () => {
  it('ends the run FAILED with exp.error, exits 1 with a one-line message and no stack trace', async () => {
    const root = path.join(dir.root, 'failed');
    // A copy of a few sample images plus one that is not an image at all.
    for (const split of ['train', 'val', 'test']) {
      for (const cls of ['NORMAL', 'PNEUMONIA']) {
        const to = path.join(root, 'data', split, cls);
        mkdirSync(to, { recursive: true });
        const from = path.join(SAMPLE, split, cls);
        for (const f of readdirSync(from).slice(0, 4)) copyFileSync(path.join(from, f), path.join(to, f));
      }
    }
    dir.write('failed/data/train/NORMAL/broken.jpeg', 'this is not a jpeg');
    const file = dir.write('failed/bad.yaml', tinyYaml({ name: 'bad-data', dataDir: path.join(root, 'data'), onBadImage: 'fail' }));
    const runs = path.join(root, 'runs');
    const r = await exp(['run', file, '--tracking-uri', runs], { cwd: root });
    expect(r.status).toBe(1);
    const errorLines = r.stderr.trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^exp: .*broken\.jpeg/);
    expect(r.stderr).not.toContain('internal error');
    expect(stackLines(r.stderr)).toEqual([]);
    const [run, ...others] = await runsIn(runs);
    expect(others).toEqual([]);
    expect(run!.info.status).toBe('FAILED');
    expect(run!.info.endTime).toBeGreaterThanOrEqual(run!.info.startTime);
    expect(run!.data.tags['exp.error']).toContain('broken.jpeg');
    expect(errorLines[0]).toContain(run!.data.tags['exp.error']!.split('\n')[0]!);
    const meta = parse(readFileSync(path.join(runFolder(runs)!, 'meta.yaml'), 'utf8')) as { status: number };
    expect(meta.status).toBe(4);
  }, 60_000);
});

describe('exp run prints where the run sits on the board', () => {
  it('ranks each finished run among the experiment’s runs', async () => {
    const root = path.join(dir.root, 'board');
    mkdirSync(root);
    const a = dir.write('board/a.yaml', tinyYaml({ name: 'run-a' }));
    const b = dir.write('board/b.yaml', tinyYaml({ name: 'run-b', size: 20 }));
    const runs = path.join(root, 'runs');
    const r = await exp(['run', a, b, '--tracking-uri', runs], { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const finished = await runsIn(runs);
    expect(finished.map((x) => x.info.status)).toEqual(['FINISHED', 'FINISHED']);
    const boards = r.stdout.split('\nleaderboard of rec: ').slice(1);
    expect(boards).toHaveLength(2);
    expect(boards[0]).toMatch(/^this run is #1 of 1\n/);
    expect(boards[1]).toMatch(/^this run is #[12] of 2\n/);
    // The current run is marked with '>' in front of its rank, and named by its id.
    const runB = finished.find((x) => x.info.runName === 'run-b')!;
    const marked = boards[1]!.split('\n').filter((l) => l.startsWith('>'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain(runB.info.runId);
    expect(marked[0]).toContain('run-b');
  }, 90_000);
});

describe('a server that goes away: runs kept offline, then exp sync', () => {
  let server: MlflowTestServer;
  let url: string;
  beforeAll(async () => {
    server = new MlflowTestServer();
    url = await server.start();
  });
  afterAll(() => server.stop());

  it('finishes the run locally (no failure, a hint to sync), and exp sync pushes it once', async () => {
    const root = path.join(dir.root, 'offline');
    mkdirSync(root);
    const offlineDir = path.join(root, 'offline-runs');
    const e = tinyExperiment(dir, { name: 'offline-run', epochs: 2 }, [], 'offline/offline.yaml');
    // Server down from the start: everything lands locally; the board cannot be read from it.
    await server.stop();
    const store = openStore(url, { offlineDir, retry: { retries: 0 }, env: {} });
    const { progress, text } = captured();
    await runOne(e, store, progress);
    expect(text()).toContain(`${url} was unreachable: the run is kept in ${offlineDir}; push it with \`exp sync --tracking-uri ${url}\``);
    const [local] = await runsIn(offlineDir);
    expect(local!.info.status).toBe('FINISHED');
    expect(server.runs.size).toBe(0);

    await server.start();
    const r = await exp(['sync', '--tracking-uri', url, '--offline-dir', offlineDir], { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(server.runs.size).toBe(1);
    const [remote] = [...server.runs.values()];
    expect(r.stdout).toContain(`${local!.info.runId} -> ${remote!.info.runId}`);
    expect(r.stdout).toContain(`synced 1 run to ${url}`);
    expect(remote!.info.status).toBe('FINISHED');
    expect(remote!.info.runName).toBe('offline-run');
    for (const key of ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy']) expect(remote!.metrics.get(key)!.map((m) => m.step)).toEqual([1, 2]);
    expect(remote!.metrics.get('test_accuracy')).toHaveLength(1);

    // Again: nothing left to send.
    const again = await exp(['sync', '--tracking-uri', url, '--offline-dir', offlineDir], { cwd: root });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`nothing to sync: every run in ${offlineDir} was synced to ${url} earlier\n`);
    expect(server.runs.size).toBe(1);
    for (const key of ['val_loss']) expect(remote!.metrics.get(key)!.map((m) => m.step)).toEqual([1, 2]);
  }, 90_000);

  it('exp run against a server that is down from the start: trains offline at once, says so and how to sync', async () => {
    const root = path.join(dir.root, 'down-from-start');
    mkdirSync(root);
    const file = dir.write('down-from-start/down.yaml', tinyYaml({ name: 'down', experiment: 'down', epochs: 1 }));
    await server.stop();
    try {
      const r = await exp(['run', file, '--tracking-uri', url], { cwd: root, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } });
      expect(r.stderr).toContain(`Cannot reach the MLflow server at ${url}`);
      expect(r.stderr).toContain(`logging locally into ${path.join(root, '.exp', 'offline-runs')} from here on; push it to the server later with \`exp sync --tracking-uri ${url}\``);
      expect(stackLines(r.stderr)).toEqual([]);
      expect(r.status).toBe(0);
      const [local] = await runsIn(path.join(root, '.exp', 'offline-runs'));
      expect(local!.info.status).toBe('FINISHED');
    } finally {
      await server.start();
    }
  }, 90_000);

  it('exp run still finishes and exits 0 when the board cannot be read at the end', async () => {
    const e = tinyExperiment(dir, { name: 'board-fails', experiment: 'board-fails' }, [], 'offline/board.yaml');
    const store = openStore(url, { offlineDir: path.join(dir.root, 'offline', 'unused'), retry: { retries: 0 }, env: {} });
    // A server that accepts the run but answers the board's experiment listing with an error.
    const search = store.listExperiments.bind(store);
    let calls = 0;
    store.listExperiments = async () => {
      calls++;
      server.failNext(1, 500);
      return search();
    };
    const { progress, text } = captured();
    await runOne(e, store, progress);
    expect(calls).toBe(1);
    expect(text()).toMatch(/\nleaderboard unavailable: .+/);
    const run = [...server.runs.values()].find((x) => x.info.runName === 'board-fails')!;
    expect(run.info.status).toBe('FINISHED');
  }, 60_000);

  it('exp sync refuses a folder as the target and says nothing is pending for an empty folder', async () => {
    const folder = await exp(['sync', '--tracking-uri', path.join(dir.root, 'runs')], { cwd: dir.root });
    expect(folder.status).toBe(1);
    expect(folder.stderr).toMatch(/^exp: exp sync pushes to an MLflow server: give --tracking-uri http/);
    expect(stackLines(folder.stderr)).toEqual([]);
    const empty = await exp(['sync', '--tracking-uri', url], { cwd: dir.root });
    expect(empty.status).toBe(0);
    expect(empty.stdout).toMatch(/^nothing to sync: no offline runs in \.exp\/offline-runs\n$/);
  });
});
