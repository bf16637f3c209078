/**
 * `exp runs list|clean` on RUNNING runs whose trainer cannot be checked locally: on another host
 * only an old heartbeat (or --force) makes a run stale; a live trainer on this host is never closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStart } from '../../src/runner/owner.js';
import { FileStore } from '../../src/tracking/index.js';
import { TempDir } from '../record/fixtures.js';
import { ensureBuilt, exp } from './spawn-exp.js';

let dir: TempDir;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-cli-runs-');
});
afterAll(() => dir.cleanup());

const MINUTE = 60_000;

/** A file store with one RUNNING run per owner, as other processes would have left them. */
async function storeWith(name: string, owners: Record<string, Record<string, string>>): Promise<{ uri: string; ids: Record<string, string>; store: FileStore }> {
  const store = new FileStore(dir.path(name));
  const experimentId = await store.getOrCreateExperiment('e');
  const ids: Record<string, string> = {};
  for (const [runName, tags] of Object.entries(owners)) ids[runName] = (await store.createRun(experimentId, { runName, tags })).runId;
  return { uri: store.root, ids, store };
}

const status = async (store: FileStore, id: string) => (await store.getRun(id)).info.status;

describe('exp runs clean', () => {
  it('closes a run from another host only after its heartbeat is older than --stale-after, or with --force', async () => {
    const now = Date.now();
    const { uri, ids, store } = await storeWith('other-host', {
      silent: { 'exp.host': 'elsewhere.invalid', 'exp.pid': '4242', 'exp.heartbeat': String(now - 30 * MINUTE) },
      beating: { 'exp.host': 'elsewhere.invalid', 'exp.pid': '4243', 'exp.heartbeat': String(now - 10_000) },
      legacy: {},
    });
    const list = await exp(['runs', 'list', '--tracking-uri', uri]);
    expect(list.stdout.split('\n').find((l) => l.startsWith(ids['silent']!))).toMatch(/\bstale\b.*no heartbeat from pid 4242 on elsewhere\.invalid for 30 min/);
    expect(list.stdout.split('\n').find((l) => l.startsWith(ids['beating']!))).toMatch(/\bRUNNING\b/);

    const clean = await exp(['runs', 'clean', '--tracking-uri', uri]);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain(`closed as KILLED  ${ids['silent']}`);
    expect(clean.stdout).toMatch(new RegExp(`left RUNNING  ${ids['beating']}.*--force closes it`));
    expect(clean.stdout).toMatch(new RegExp(`left RUNNING  ${ids['legacy']}.*no host or pid recorded`));
    expect([await status(store, ids['silent']!), await status(store, ids['beating']!), await status(store, ids['legacy']!)]).toEqual(['KILLED', 'RUNNING', 'RUNNING']);

    // --force closes what cannot be checked.
    const forced = await exp(['runs', 'clean', '--force', '--tracking-uri', uri]);
    expect(forced.stdout).toContain(`closed as KILLED  ${ids['beating']}`);
    expect(await status(store, ids['legacy']!)).toBe('KILLED');
  }, 60_000);

  it('never closes a run whose trainer lives on this host, even with --force', async () => {
    const { hostname } = await import('node:os');
    const me = { 'exp.host': hostname(), 'exp.pid': String(process.pid), 'exp.pid_start': processStart(process.pid) ?? '', 'exp.heartbeat': String(Date.now()) };
    const reused = { ...me, 'exp.pid_start': 'another-boot:1' };
    const { uri, ids, store } = await storeWith('this-host', { live: me, reused });
    const clean = await exp(['runs', 'clean', '--force', '--tracking-uri', uri]);
    expect(clean.stdout).toMatch(new RegExp(`left RUNNING  ${ids['live']}.*pid ${process.pid} on .* is running`));
    expect(clean.stdout).toContain(`closed as KILLED  ${ids['reused']}`);
    expect(clean.stdout).toContain('is now another process');
    expect(await status(store, ids['live']!)).toBe('RUNNING');
  }, 60_000);
});
