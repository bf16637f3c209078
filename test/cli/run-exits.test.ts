/**
 * No run is left RUNNING, whatever ends the process (issue 10), and one run has one trainer
 * (issue 17): real `exp run` processes on the repo's sample images, stopped by a closed stdout,
 * SIGHUP, an uncaught exception or rejection, SIGTERM or SIGKILL of a `--jobs` parent, and a
 * second `exp run` of the same experiment started while the first trains.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricSteps, runFolder, runFolders, runMeta, runTag } from '../helpers/file-store-runs.js';
import { TempDir, tinyYaml } from '../record/fixtures.js';
import { ensureBuilt, exp, stackLines, startExp, waitFor } from './spawn-exp.js';

const KILLED = 5;
const FAILED = 4;
const RUNNING = 1;
const CRASH = path.join(import.meta.dirname, 'fixtures', 'crash-once-training.mjs');

let dir: TempDir;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-cli-exits-');
});
afterAll(() => dir.cleanup());

const epochLogged = (folder: string | undefined): string | undefined => (folder && existsSync(path.join(folder, 'metrics', 'val_loss')) ? folder : undefined);

/** A run of 500 tiny epochs (it never ends on its own during a test) in its own folder. */
function startLong(name: string, opts: { env?: Record<string, string>; epochs?: number; args?: string[] } = {}) {
  const root = dir.path(name);
  mkdirSync(root);
  const file = dir.write(`${name}/long.yaml`, tinyYaml({ name, epochs: opts.epochs ?? 500 }));
  const runs = path.join(root, 'runs');
  const started = startExp(['run', file, '--tracking-uri', runs, ...(opts.args ?? [])], { cwd: root, env: { ...opts.env, EXP_TEST_STORE: runs } });
  const training = waitFor(() => epochLogged(runFolder(runs)), 60_000, `an epoch metric (output so far: ${started.output()})`);
  return { root, file, runs, ...started, training };
}

/** The checkpoint a closed run keeps for `exp resume`: a whole one (its manifest is written last) among the run's artifacts. */
const hasCheckpoint = (folder: string): boolean => {
  const dir = path.join(folder, 'artifacts', 'checkpoints');
  return existsSync(dir) && readdirSync(dir).some((e) => existsSync(path.join(dir, e, 'manifest.json')));
};

describe('a run is closed whatever ends exp', () => {
  it('stdout closed by its reader (`exp run | head`): KILLED, exit 141, checkpoint kept', async () => {
    const r = startLong('epipe');
    const folder = await r.training;
    expect(runMeta(folder).status).toBe(RUNNING);
    r.child.stdout!.destroy();
    const end = await r.done;
    expect(end.status).toBe(141);
    const meta = runMeta(folder);
    expect(meta.status).toBe(KILLED);
    expect(Number.isInteger(meta.end_time)).toBe(true);
    expect(runTag(folder, 'exp.end_reason')).toBe('stdout closed (EPIPE)');
    expect(hasCheckpoint(folder)).toBe(true);
  }, 90_000);

  it('SIGHUP (the terminal closed): KILLED, exit 129', async () => {
    const r = startLong('sighup');
    const folder = await r.training;
    r.child.kill('SIGHUP');
    const end = await r.done;
    expect(end.status).toBe(129);
    expect(end.stdout).toContain('SIGHUP (the terminal closed): closing the run as KILLED');
    expect(runMeta(folder).status).toBe(KILLED);
    expect(runTag(folder, 'exp.end_reason')).toBe('SIGHUP');
    expect(hasCheckpoint(folder)).toBe(true);
  }, 90_000);

  it.each(['exception', 'rejection'])('an uncaught %s inside exp: FAILED with the error, reported as a bug, exit 1', async (kind) => {
    const r = startLong(`crash-${kind}`, { env: { NODE_OPTIONS: `--import ${pathToFileURL(CRASH).href}`, EXP_TEST_CRASH: kind } });
    const folder = await r.training;
    const end = await r.done;
    expect(end.status).toBe(1);
    expect(end.stderr).toContain(`exp: internal error: injected crash`);
    expect(stackLines(end.stderr)).toEqual([]);
    expect(runMeta(folder).status).toBe(FAILED);
    expect(runTag(folder, 'exp.error')).toContain(`injected crash`);
    expect(hasCheckpoint(folder)).toBe(true);
  }, 90_000);
});

describe('a sweep stopped part-way', () => {
  it('SIGINT closes the child run and the sweep’s parent run as KILLED', async () => {
    const root = dir.path('sweep-int');
    mkdirSync(root);
    const file = dir.write('sweep-int/sweep.yaml', `${tinyYaml({ name: 'sweep-int', epochs: 500 })}sweep:\n  grid:\n    train.optimizer.lr: [0.001, 0.0003]\n`);
    const runs = path.join(root, 'runs');
    const { child, done, output } = startExp(['run', file, '--tracking-uri', runs], { cwd: root });
    await waitFor(() => runFolders(runs).find((f) => epochLogged(f)), 60_000, `a training child run (output so far: ${output()})`);
    child.kill('SIGINT');
    expect((await done).status).toBe(130);
    const folders = runFolders(runs);
    expect(folders).toHaveLength(2); // the parent and the first child
    expect(folders.map((f) => runMeta(f).status)).toEqual([KILLED, KILLED]);
  }, 90_000);
});

describe('exp run --jobs 2', () => {
  /** Two long runs in two worker processes, both training. */
  async function twoWorkers(name: string) {
    const root = dir.path(name);
    mkdirSync(root);
    const files = ['a', 'b'].map((n) => dir.write(`${name}/${n}.yaml`, tinyYaml({ name: `${name}-${n}`, epochs: 500 })));
    const runs = path.join(root, 'runs');
    const started = startExp(['run', ...files, '--jobs', '2', '--tracking-uri', runs], { cwd: root });
    const folders = await waitFor(() => {
      const all = runFolders(runs);
      return all.length === 2 && all.every((f) => epochLogged(f)) ? all : undefined;
    }, 90_000, `two training workers (output so far: ${started.output()})`);
    return { ...started, folders };
  }

  it('SIGTERM to the parent closes both workers’ runs as KILLED', async () => {
    const { child, done, folders } = await twoWorkers('jobs-term');
    child.kill('SIGTERM');
    expect((await done).status).toBe(143);
    expect(folders.map((f) => runMeta(f).status)).toEqual([KILLED, KILLED]);
    expect(folders.map((f) => runTag(f, 'exp.end_reason'))).toEqual(['SIGTERM', 'SIGTERM']);
  }, 120_000);

  it('SIGKILL of the parent: each worker sees it gone, closes its run as KILLED and exits', async () => {
    const { child, done, folders } = await twoWorkers('jobs-kill');
    child.kill('SIGKILL');
    await done;
    await waitFor(() => (folders.every((f) => runMeta(f).status === KILLED) ? true : undefined), 30_000, 'both runs closed');
    const pids = folders.map((f) => Number(runTag(f, 'exp.pid')));
    expect(pids.every((pid) => pid !== child.pid)).toBe(true);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => (pids.some(alive) ? undefined : true), 30_000, 'the workers to exit');
  }, 120_000);
});

describe('one trainer per run', () => {
  it('a second `exp run` of the same experiment refuses the run the first one trains, naming its pid', async () => {
    const first = startLong('twice');
    const folder = await first.training;
    const second = await exp(['run', first.file, '--tracking-uri', first.runs], { cwd: first.root });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`run ${runMeta(folder).run_uuid} is being trained by another process (pid ${first.child.pid} on `);
    expect(second.stderr).toContain('--rerun');
    expect(second.stdout).not.toContain('continuing after epoch');
    first.child.kill('SIGINT');
    await first.done;
    expect(runFolders(first.runs)).toHaveLength(1);
    const steps = metricSteps(folder, 'val_loss');
    expect(new Set(steps).size).toBe(steps.length);
    expect(runMeta(folder).status).toBe(KILLED);
  }, 120_000);
});

describe('a run whose process died hard (SIGKILL)', () => {
  it('shows as stale in `exp runs list` and `exp rank`, and `exp resume` takes it over to the end', async () => {
    const r = startLong('stale-resume', { epochs: 150 });
    const folder = await r.training;
    const runId = runMeta(folder).run_uuid;
    await waitFor(() => (hasCheckpoint(folder) ? true : undefined), 30_000, 'a checkpoint');
    r.child.kill('SIGKILL');
    await r.done;
    expect(runMeta(folder).status).toBe(RUNNING);
    expect(runTag(folder, 'exp.pid')).toBe(String(r.child.pid));

    const list = await exp(['runs', 'list', '--tracking-uri', r.runs], { cwd: r.root });
    expect(list.status).toBe(0);
    const row = list.stdout.split('\n').find((l) => l.startsWith(runId))!;
    expect(row).toMatch(/\bstale\b/);
    expect(row).toContain(`pid ${r.child.pid} on `);
    expect(row).toContain('is not running');
    const rank = await exp(['rank', '--tracking-uri', r.runs], { cwd: r.root });
    expect(rank.stdout).toMatch(new RegExp(`stale\\s+stale-resume\\s+${runId}`));

    const resumed = await exp(['resume', runId, '--tracking-uri', r.runs], { cwd: r.root });
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`taking over stale run ${runId}: pid ${r.child.pid} on `);
    expect(resumed.stdout).toContain('continuing after epoch');
    expect(runMeta(folder).status).toBe(3);
    expect(runTag(folder, 'exp.pid')).not.toBe(String(r.child.pid));
  }, 120_000);

  it('`exp runs clean` closes it as KILLED with the reason and keeps its checkpoint', async () => {
    const r = startLong('stale-clean');
    const folder = await r.training;
    const runId = runMeta(folder).run_uuid;
    r.child.kill('SIGKILL');
    await r.done;
    const dry = await exp(['runs', 'clean', '--dry-run', '--tracking-uri', r.runs], { cwd: r.root });
    expect(dry.stdout).toContain(`would close  ${runId}`);
    expect(runMeta(folder).status).toBe(RUNNING);
    const clean = await exp(['runs', 'clean', '--tracking-uri', r.runs], { cwd: r.root });
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain(`closed as KILLED  ${runId}  rec / stale-clean: pid ${r.child.pid} on `);
    expect(runMeta(folder).status).toBe(KILLED);
    expect(runTag(folder, 'exp.end_reason')).toMatch(/^stale: pid \d+ on .* is not running$/);
    expect(hasCheckpoint(folder)).toBe(true);
  }, 120_000);
});
