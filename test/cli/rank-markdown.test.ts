/**
 * `exp rank --format markdown` on real recorded runs (tiny trainings on data/sample): the columns,
 * and a reproduce command that, typed into a shell, makes the same run again (exp run skips it as
 * identical; exp ensemble gives the same metrics); on a file store and on a server.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { overridesFrom } from '../../src/config/overrides.js';
import { formatSeconds } from '../../src/core/progress.js';
import { createEnsemble } from '../../src/ensemble/ensemble.js';
import { runAll } from '../../src/runner/run-all.js';
import { FileStore, RestStore, type Run, type TrackingStore } from '../../src/tracking/index.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';
import { quiet, TempDir, tinyYaml } from '../record/fixtures.js';
import { BIN, ensureBuilt, exp, REPO } from './spawn-exp.js';

const TARGETS = 'targets:\n  accuracy: ">= 0.5"\n';
const ENSEMBLE_NAME = "seeds 7|8 'mean'";

/** A table row's cells: split on the pipes Markdown does not see escaped. */
const cells = (line: string): string[] => line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
/** A code span's text as a reader copies it: the table's `\|` is a `|`. */
const code = (cell: string): string => /^`([^`]*)`/.exec(cell)![1]!.replace(/\\\|/g, '|');
/** Runs a copied command in a real shell, `exp` being this build's CLI (not blocking: the in-process server must answer). */
function shell(command: string, cwd: string, trackingUri: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', `exp() { "${process.execPath}" "${BIN}" "$@" --tracking-uri "${trackingUri}"; }\n${command}`], { cwd, env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const interval = (run: Run, key: string): string => {
  const m = run.data.metrics;
  return `${m[key]!.toFixed(3)} [${m[`${key}_ci_low`]!.toFixed(3)}, ${m[`${key}_ci_high`]!.toFixed(3)}]`;
};

let dir: TempDir;
let server: MlflowTestServer;
let url: string;
beforeAll(async () => {
  ensureBuilt();
  dir = new TempDir('exp-rank-md-');
  dir.write('tiny.yaml', tinyYaml({ experiment: 'board', name: 'tiny', extra: TARGETS }));
  dir.write('cv.yaml', tinyYaml({ experiment: 'board', name: 'cv', validation: '{kfold: 2, stratify: true}', extra: TARGETS }));
  dir.write('sweep.yaml', tinyYaml({ experiment: 'board', name: 'sw', extra: `${TARGETS}sweep:\n  grid: {train.seed: [9, 10]}\n` }));
  server = new MlflowTestServer();
  url = await server.start();
});
afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

describe.each(['file store', 'server'] as const)('exp rank --format markdown on a %s', (kind) => {
  let uri: string;
  let store: TrackingStore;
  const ids: Record<string, string> = {};
  let lines: string[];
  let header: string[];
  let rowOf: (name: string) => string[];
  const runOf = (id: string) => store.getRun(id);

  beforeAll(async () => {
    uri = kind === 'file store' ? dir.path('runs') : url;
    store = kind === 'file store' ? new FileStore(uri) : new RestStore(url, { env: {}, retry: { retries: 0 } });
    const files = [loadRuns(dir.path('tiny.yaml')), loadRuns(dir.path('tiny.yaml'), overridesFrom(['train.seed=8', 'name=tiny s8']))];
    // The k-fold and the sweep on one store: the commands of parents and children are the same on both.
    if (kind === 'file store') files.push(loadRuns(dir.path('cv.yaml')), loadRuns(dir.path('sweep.yaml')));
    const outcomes = await runAll(files, store, quiet(), false);
    expect(outcomes.every((o) => o.status === 'finished')).toBe(true);
    ids.tiny = outcomes.find((o) => o.name === 'tiny')!.runId!;
    ids.s8 = outcomes.find((o) => o.name === 'tiny s8')!.runId!;
    ids.ensemble = (await createEnsemble(store, [ids.tiny, ids.s8], ENSEMBLE_NAME)).runId;

    const r = await exp(['rank', '--tracking-uri', uri, '--format', 'markdown', '--metric', 'best_val_accuracy'], { cwd: dir.root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    lines = r.stdout.trimEnd().split('\n');
    header = cells(lines[2]!);
    const rows = lines.slice(4).map(cells);
    rowOf = (name) => rows.find((c) => c[1] === name) ?? expect.unreachable(`no row ${name} in\n${r.stdout}`);
  }, 300_000);

  it('says what orders the board, then a table with intervals, the validation metric, engine, wall time and command; | in a name escaped', async () => {
    expect(lines[0]).toBe('Experiment board: runs passing every target first, then by `best_val_accuracy`.');
    expect(lines[1]).toBe('');
    expect(header).toEqual(['#', 'run', 'verdict', 'test accuracy [95% CI]', 'recall NORMAL [95% CI]', 'recall PNEUMONIA [95% CI]', 'test AUC [95% CI]', '`best_val_accuracy`', 'engine', 'wall', 'reproduce']);
    expect(lines[3]).toBe(`|${' --- |'.repeat(header.length)}`);
    const body = lines.slice(4);
    expect(body.length).toBe(kind === 'file store' ? 8 : 3);
    for (const line of body) expect(cells(line)).toHaveLength(header.length);
    expect(body.map((l) => cells(l)[0])).toEqual(body.map((_, i) => String(i + 1)));

    const tiny = await runOf(ids.tiny!);
    const row = rowOf('tiny');
    expect(row.slice(2, 8)).toEqual([
      tiny.data.tags['exp.verdict'],
      interval(tiny, 'test_accuracy'),
      interval(tiny, 'test_recall_NORMAL'),
      interval(tiny, 'test_recall_PNEUMONIA'),
      interval(tiny, 'test_auc'),
      tiny.data.metrics.best_val_accuracy!.toFixed(3),
    ]);
    expect(row[8]).toBe(`${tiny.data.tags['exp.engine']} (${tiny.data.tags['exp.backend']}, ${tiny.data.tags['exp.device']})`);
    expect(row[9]).toBe(formatSeconds(tiny.data.metrics.total_seconds!));
    // Passing runs first, each group by the validation metric, descending.
    const ranked = body.map((l) => ({ pass: cells(l)[2] === 'PASS', value: Number(cells(l)[7]) }));
    expect(ranked.map((r) => r.pass)).toEqual([...ranked.map((r) => r.pass)].sort((a, b) => Number(b) - Number(a)));
    ranked.slice(1).forEach((r, i) => r.pass === ranked[i]!.pass && expect(r.value).toBeLessThanOrEqual(ranked[i]!.value));

    // The ensemble: `|` escaped in its name; its engine is its members'.
    const ensemble = rowOf("seeds 7\\|8 'mean'");
    expect(ensemble[8]).toBe(row[8]);
    expect(ensemble[2]).toBe((await runOf(ids.ensemble!)).data.tags['exp.verdict']);
  });

  it('gives each run the command that makes it again: exp run skips it as identical, exp ensemble gives the same metrics', async () => {
    expect(code(rowOf('tiny')[10]!)).toBe('exp run tiny.yaml');
    const s8 = code(rowOf('tiny s8')[10]!);
    expect(s8).toBe("exp run tiny.yaml --set train.seed=8 --set 'name=tiny s8'");
    const again = await shell(s8, dir.root, uri);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain(`skipped, identical to finished run ${ids.s8}`);

    const ensembleCommand = code(rowOf("seeds 7\\|8 'mean'")[10]!);
    expect(ensembleCommand).toBe(`exp ensemble ${ids.tiny} ${ids.s8} --name 'seeds 7|8 '\\''mean'\\'''`);
    const made = await shell(`${ensembleCommand} --json`, dir.root, uri);
    expect(made.status).toBe(0);
    const remade = JSON.parse(made.stdout) as { runId: string; metrics: Record<string, number> };
    expect(remade.runId).not.toBe(ids.ensemble);
    const [original, copy] = [await runOf(ids.ensemble!), await runOf(remade.runId)];
    expect(copy.info.runName).toBe(ENSEMBLE_NAME);
    expect(copy.data.metrics.test_accuracy).toBe(original.data.metrics.test_accuracy);
    expect(copy.data.metrics.test_auc).toBe(original.data.metrics.test_auc);
  }, 120_000);

  it('an ensemble logged in an experiment of its own, by an experiment file: exp run of that file; its members\' engine read from theirs', async () => {
    await createEnsemble(store, [ids.tiny!, ids.s8!], 'from-file', { experiment: 'ensembles', tags: { 'exp.file': dir.path('ens.yaml') } });
    const r = await exp(['rank', '--tracking-uri', uri, '--experiment', 'ensembles', '--format', 'markdown'], { cwd: dir.root });
    expect(r.status).toBe(0);
    const [head, , row] = r.stdout.trimEnd().split('\n').slice(2).map(cells);
    // Ordered by test_accuracy, shown already: no column of its own.
    expect(head).toEqual(header.filter((h) => h !== '`best_val_accuracy`'));
    expect(row![1]).toBe('from-file');
    expect(row![7]).toBe(rowOf('tiny')[8]);
    expect(row![7]).toMatch(/^\w+ \(/);
    expect(row![9]).toBe('`exp run ens.yaml`');
  });

  it.runIf(kind === 'file store')('a k-fold parent and its folds, a sweep\'s trials: the command that trains them all, saying so', async () => {
    const parent = rowOf('cv (2-fold)');
    const folds = [rowOf('cv fold=1/2'), rowOf('cv fold=2/2')];
    expect(code(parent[10]!)).toBe('exp run cv.yaml');
    expect(parent[10]).toBe('`exp run cv.yaml`');
    for (const fold of folds) expect(fold[10]).toBe('`exp run cv.yaml` (with all 2 folds)');
    // The parent trained nothing itself: its folds' engine.
    expect(parent[8]).toBe(folds[0]![8]);
    expect(parent[8]).not.toBe('-');
    // Its wall time runs from its first fold's start, not from its own (exp run opened it before training tiny and tiny s8).
    const cv = (await store.searchRuns([(await store.getExperimentByName('board'))!.experimentId])).filter((r) => r.info.runName.startsWith('cv'));
    const cvParent = cv.find((r) => r.data.tags['exp.kfold'])!;
    const cvFolds = cv.filter((r) => r !== cvParent);
    const seconds = (shown: string) => (/^(\d+)m(\d\d)s$/.exec(shown) ? Number(shown.split('m')[0]) * 60 + Number(shown.slice(-3, -1)) : Number(shown.slice(0, -1)));
    expect(seconds(parent[9]!)).toBeGreaterThanOrEqual(Math.floor(cvFolds.reduce((a, r) => a + r.data.metrics.total_seconds!, 0)));
    expect(seconds(parent[9]!)).toBeLessThan((cvParent.info.endTime! - cvParent.info.startTime) / 1000 - (await runOf(ids.tiny!)).data.metrics.total_seconds!);
    for (const name of ['sw seed=9', 'sw seed=10']) expect(rowOf(name)[10]).toBe('`exp run sweep.yaml` (with its whole sweep)');

    const again = await shell(code(parent[10]!), dir.root, uri);
    expect(again.status).toBe(0);
    expect(again.stdout.match(/skipped, identical to finished run/g)).toHaveLength(2);
  }, 120_000);

  it.runIf(kind === 'file store')('names the file absolutely when it is not under the working folder (nor in a git repository); --json with another --format is refused', async () => {
    const r = await exp(['rank', '--tracking-uri', uri, '--experiment', 'board', '--format', 'markdown'], { cwd: REPO });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`| \`exp run ${dir.path('tiny.yaml')}\` |`);
    const both = await exp(['rank', '--tracking-uri', uri, '--experiment', 'board', '--format', 'markdown', '--json'], { cwd: dir.root });
    expect(both.status).toBe(1);
    expect(both.stderr).toBe('exp: --json and --format markdown: choose one format\n');
  });
});
