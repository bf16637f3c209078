import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { resolveRunId } from '../../src/tracking/resolve-run.js';
import { FileStore } from '../../src/tracking/index.js';
import { TempDir } from '../record/fixtures.js';

let dir: TempDir;
let store: FileStore;
let ids: { a: string; b: string; c: string };
beforeEach(async () => {
  dir = new TempDir('exp-resolve-');
  store = new FileStore(dir.path('runs'));
  const one = await store.getOrCreateExperiment('one');
  const two = await store.getOrCreateExperiment('two');
  ids = {
    a: (await store.createRun(one, { runName: 'cnn2' })).runId,
    b: (await store.createRun(one, { runName: 'cnn4' })).runId,
    // Same name, another experiment.
    c: (await store.createRun(two, { runName: 'cnn4' })).runId,
  };
});
afterEach(() => dir.cleanup());

const failure = async (ref: string): Promise<string> => {
  const e = await resolveRunId(store, ref).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
};

describe('resolveRunId (exp predict --run, exp report, exp resume)', () => {
  it('takes a whole id, an unambiguous prefix, or a unique run name', async () => {
    expect(await resolveRunId(store, ids.a)).toBe(ids.a);
    const prefix = [...ids.a].map((_, n) => ids.a.slice(0, n + 1)).find((p) => ![ids.b, ids.c].some((id) => id.startsWith(p)))!;
    expect(await resolveRunId(store, prefix)).toBe(ids.a);
    expect(await resolveRunId(store, 'cnn2')).toBe(ids.a);
  });

  it('refuses an ambiguous name, listing the candidates with id, name and status', async () => {
    const message = await failure('cnn4');
    expect(message).toContain("'cnn4' matches 2 runs");
    expect(message).toContain(`${ids.b}  cnn4  RUNNING`);
    expect(message).toContain(`${ids.c}  cnn4  RUNNING`);
    expect(message).not.toContain(ids.a);
  });

  it('refuses a prefix several ids share, and says so when nothing matches', async () => {
    const message = await failure('');
    expect(message).toContain('name a run');
    expect(await failure('no-such-run')).toBe(`no run with id, id prefix or name 'no-such-run' in ${store.uri} (see \`exp rank\` for runs, or pass --tracking-uri)`);
    // Every id starts with one of 16 hex digits: with enough runs, a one-digit prefix is shared.
    const exp = await store.getOrCreateExperiment('one');
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => store.createRun(exp, { runName: `r${i}` })));
    const all = [ids.a, ids.b, ids.c, ...more.map((r) => r.runId)];
    const shared = [...'0123456789abcdef'].find((d) => all.filter((id) => id.startsWith(d)).length > 1)!;
    expect(await failure(shared)).toMatch(new RegExp(`^'${shared}' matches \\d+ runs in .*; give more of the id:\\n`));
  });
});
