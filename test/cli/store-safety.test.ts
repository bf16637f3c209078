/** exp's commands on hostile ids, names and paths: clear errors, exit 1, no stack trace (issue 17). */
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../../src/core/report-error.js';
import { FileStore } from '../../src/tracking/index.js';
import { TempDir } from '../record/fixtures.js';
import { seedRuns } from '../rank/seed.js';
import { ensureBuilt, exp, stackLines } from './spawn-exp.js';

let dir: TempDir;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-cli-safety-');
});
afterAll(() => dir.cleanup());

describe('exp on hostile input', () => {
  it('refuses a run id that is a path, before it reaches a store or a file name', async () => {
    for (const args of [['report', '../../etc/passwd'], ['resume', '../x'], ['rank', '--sweep', '/etc']]) {
      const r = await exp([...args, '--tracking-uri', dir.path('runs')], { cwd: dir.path() });
      expect(r.status, args.join(' ')).toBe(1);
      // report and resume also take run names and id prefixes: such a reference is looked up, never made a path.
      expect(r.stderr).toMatch(/is not a (sweep )?run id: MLflow run ids are|no run with id, id prefix or name/);
      expect(stackLines(r.stderr)).toEqual([]);
    }
  });

  it('says what is wrong with --out under a missing folder and with file://otherhost', async () => {
    const store = new FileStore(dir.path('runs'));
    await seedRuns(store, 'xray');
    const out = await exp(['report', '--experiment', 'xray', '--tracking-uri', dir.path('runs'), '--out', dir.path('missing', 'r.html')]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`the folder ${dir.path('missing')} does not exist`);
    const host = await exp(['rank', '--tracking-uri', 'file://otherhost/srv/runs']);
    expect(host.status).toBe(1);
    expect(host.stderr).toMatch(/names the host 'otherhost'/);
    for (const r of [out, host]) expect(stackLines(r.stderr)).toEqual([]);
  });

  it('ranks the experiment named Default', async () => {
    await seedRuns(new FileStore(dir.path('default-runs')), 'Default');
    const r = await exp(['rank', '--experiment', 'Default', '--tracking-uri', dir.path('default-runs')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('passes-high');
  });

  it('prints names with terminal escapes as text, never as escapes', async () => {
    const store = new FileStore(dir.path('evil-runs'));
    const id = await store.getOrCreateExperiment('evil\x1b]0;owned\x07');
    const run = await store.createRun(id, { runName: '\x1b[2J\x1b[Hfake\nline\u202e' });
    await store.logBatch(run.runId, { metrics: [{ key: 'test_accuracy', value: 0.9, timestamp: 1, step: 0 }] });
    await store.updateRun(run.runId, 'FINISHED', 2);
    const r = await exp(['rank', '--tracking-uri', dir.path('evil-runs')]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
    expect(r.stdout).toContain('\\x1b[2J\\x1b[Hfake\\nline\\u202e');
    expect(r.stdout).toContain('experiment evil\\x1b]0;owned\\x07');
  });
});

describe('the crash log', () => {
  it('is created exclusively in a private folder: a planted symlink is not followed', () => {
    const tmp = dir.path('shared-tmp');
    mkdirSync(tmp);
    const victim = dir.path('victim.txt');
    writeFileSync(victim, 'precious\n');
    // The old name was exp-crash-<ms>.log: plant a link for every ms of the next few seconds.
    const now = Date.now();
    for (let ms = now; ms < now + 3000; ms++) symlinkSync(victim, `${tmp}/exp-crash-${ms}.log`);
    const saved = process.env['TMPDIR'];
    const write = process.stderr.write;
    let printed = '';
    process.env['TMPDIR'] = tmp;
    process.stderr.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stderr.write;
    try {
      expect(reportError(new Error('boom'))).toBe(1);
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const log = /the details are in (\S+)/.exec(printed)?.[1];
    expect(log && existsSync(log)).toBe(true);
    expect(lstatSync(log!).mode & 0o777).toBe(0o600);
    expect(readFileSync(log!, 'utf8')).toContain('boom');
  });
});
