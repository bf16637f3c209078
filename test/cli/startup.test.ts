// Commands that need no engine load none: `exp validate` and `exp --help` are called often by
// editors and CI, and tfjs, onnxruntime and vega take about 1.5 s to load.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exp } from './spawn-exp.js';

const TRACER = pathToFileURL(path.resolve(import.meta.dirname, '../helpers/package-trace.mjs')).href;
const HEAVY = ['@tensorflow/tfjs', 'onnxruntime-node', 'vega', 'vega-lite', 'sharp'];

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'exp-startup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The npm packages a command loads, by name. */
async function modulesLoaded(args: string[]): Promise<string[]> {
  const trace = path.join(dir, `${args.join('_').replace(/\W/g, '_')}.txt`);
  const r = await exp(args, { env: { NODE_OPTIONS: `--import ${TRACER}`, EXP_PACKAGE_TRACE: trace } });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').split('\n');
}

/** The npm packages of modules, by name. */
const packages = (urls: string[]): Set<string> =>
  new Set(urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]).filter((n): n is string => n !== undefined));

describe('start-up', () => {
  it('exp validate loads the config packages and no engine, renderer, image decoder or schema compiler', async () => {
    const modules = await modulesLoaded(['validate', '--no-data', 'experiments/cnn2.yaml']);
    const loaded = packages(modules);
    // The trace sees what validate really uses, so an empty trace cannot pass.
    expect(loaded).toContain('yaml');
    expect(modules.some((m) => m.includes('/dist/config/validators/'))).toBe(true);
    for (const name of HEAVY) expect(loaded, name).not.toContain(name);
    // The validators are generated at build time: ajv's compiler is not loaded.
    expect(modules.filter((m) => m.includes('/node_modules/ajv/dist/compile/'))).toEqual([]);
  });

  it('exp --help loads no engine either', async () => {
    const loaded = packages(await modulesLoaded(['--help']));
    expect(loaded).toContain('yargs');
    for (const name of HEAVY) expect(loaded, name).not.toContain(name);
  });
});
