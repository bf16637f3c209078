/** The file store against hostile ids, corrupt runs, FIFOs and paths it cannot use (issue 17). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { boardFor } from '../../src/rank/board-for.js';
import { learningCurvesPlot } from '../../src/report/plots/learning-curves.js';
import { printable, xmlChars } from '../../src/text/escape.js';
import { isValidRunId } from '../../src/tracking/ids.js';
import { FileStore } from '../../src/tracking/index.js';
import { safeJoin } from '../../src/tracking/safe-join.js';
import { TempDir } from '../record/fixtures.js';
import { seedRuns } from '../rank/seed.js';

describe('ids and paths', () => {
  it('accepts what MLflow accepts as a run id and nothing that can leave a folder', () => {
    expect(isValidRunId('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isValidRunId('run_1-a')).toBe(true);
    for (const bad of ['', '..', '../../victim', '/etc', 'a/b', 'a\\b', '.hidden', 'a.b', 'x\0y', 'a'.repeat(257)]) expect(isValidRunId(bad), bad).toBe(false);
  });

  it('safeJoin refuses to leave its root', () => {
    expect(safeJoin('/r', 'a', 'b')).toBe('/r/a/b');
    expect(() => safeJoin('/r', '../x')).toThrow(/leads out of \/r/);
    expect(() => safeJoin('/r', 'a', '/etc/passwd')).toThrow(/leads out of/);
    expect(() => safeJoin('/r', 'a/../../x')).toThrow(/leads out of/);
  });

});

describe('FileStore on a damaged store', () => {
  let dir: TempDir;
  let warnings: string[];
  let store: FileStore;
  beforeEach(() => {
    dir = new TempDir('exp-safety-');
    warnings = [];
    store = new FileStore(dir.path('runs'), { warn: (m) => warnings.push(m) });
  });
  afterEach(() => dir.cleanup());

  it('skips and names a run with a garbage meta.yaml or metric line; the others still rank', async () => {
    const ids = await seedRuns(store);
    const experimentId = (await store.getExperimentByName('xray'))!.experimentId;
    const runDir = (name: string) => join(dir.path('runs'), experimentId, ids[name]!);
    writeFileSync(join(runDir('passes-low'), 'meta.yaml'), ': : not yaml [');
    writeFileSync(join(runDir('fails-recall'), 'metrics', 'test_accuracy'), 'garbage line\n');
    const board = await boardFor(store, 'xray', 'test_accuracy');
    expect(board.rows.map((r) => r.runName)).toEqual(['passes-high', 'passes-high-later', 'no-metrics']);
    expect(warnings.join('\n')).toContain(ids['passes-low']!);
    expect(warnings.join('\n')).toContain(ids['fails-recall']!);
    // Each problem is told once, though the store is read again.
    await boardFor(store, 'xray', 'test_accuracy');
    expect(warnings).toHaveLength(2);
  });

  it('skips an experiment whose meta.yaml is garbage instead of failing every lookup', async () => {
    await seedRuns(store);
    mkdirSync(dir.path('runs', '123'));
    writeFileSync(dir.path('runs', '123', 'meta.yaml'), '[1, 2');
    expect((await store.getExperimentByName('xray'))?.name).toBe('xray');
    expect(warnings.join('\n')).toContain(join('runs', '123'));
  });

  it('a FIFO in a run does not hang the reader: that run is skipped and named', { timeout: 20_000 }, async () => {
    const ids = await seedRuns(store);
    const experimentId = (await store.getExperimentByName('xray'))!.experimentId;
    execFileSync('mkfifo', [join(dir.path('runs'), experimentId, ids['passes-low']!, 'metrics', 'fifo')]);
    const meta = join(dir.path('runs'), experimentId, ids['passes-high']!, 'meta.yaml');
    rmSync(meta);
    execFileSync('mkfifo', [meta]);
    const board = await boardFor(store, 'xray', 'test_accuracy');
    expect(board.rows.map((r) => r.runName)).toEqual(['passes-high-later', 'fails-recall', 'no-metrics']);
    expect(warnings.join('\n')).toMatch(/not a regular file/);
    await expect(store.getRun(ids['passes-low']!)).rejects.toThrow(/not a regular file/);
  });

  it('ranks an experiment named Default (MLflow experiment 0)', async () => {
    await seedRuns(store, 'Default');
    expect(await store.getOrCreateExperiment('Default')).toBe('0');
    const board = await boardFor(store, 'Default', 'test_accuracy');
    expect(board.experiment).toBe('Default');
    expect(board.rows).toHaveLength(5);
  });

  it('refuses file://otherhost and a tracking path under /proc/self with clear errors', { timeout: 20_000 }, async () => {
    expect(() => new FileStore('file://otherhost/srv/runs')).toThrow(/names the host 'otherhost'/);
    expect(new FileStore('file://localhost/tmp/x').root).toBe('/tmp/x');
    // Node's recursive mkdir spins forever here; the store must fail instead.
    await expect(new FileStore('/proc/self/exp-runs').getOrCreateExperiment('x')).rejects.toThrow(/takes no new folders/);
  });
});

describe('control characters in names', () => {
  it('are shown as escapes on the terminal', () => {
    expect(printable('a\x1b[2Jb\0c\nd\u202ee\x9b')).toBe('a\\x1b[2Jb\\x00c\\nd\\u202ee\\x9b');
    expect(printable('line 1\nline\x072', { keepNewlines: true })).toBe('line 1\nline\\x072');
  });

  it('are replaced where XML forbids them, and a plot titled with them renders', async () => {
    expect(xmlChars('a\0b\x1bc\td\ud800')).toBe('a\ufffdb\ufffdc\td\ufffd');
    const history = [1, 2].map((epoch) => ({ epoch, train_loss: 1 / epoch, val_loss: 1.1 / epoch, train_accuracy: 0.5, val_accuracy: 0.5 }));
    const plot = await learningCurvesPlot({ history, keptEpoch: null, title: 'run \0\x1b[31mred\x07' });
    expect(plot.png.byteLength).toBeGreaterThan(100);
    expect(plot.svg).not.toMatch(/[\0\x1b\x07]/);
  });
});
