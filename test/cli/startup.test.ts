// Commands that need no engine load none: `exp validate` and `exp --help` are called often by
// editors and CI, and tfjs, onnxruntime and vega take about 1.5 s to load.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exp } from './spawn-exp.js';

const TRACER = pathToFileURL(path.resolve(import.meta.dirname, '../helpers/package-trace.mjs')).href;
const HEAVY = ['@tensorflow/tfjs', 'onnxruntime-node', 'vega', 'vega-lite', 'sharp'];
// In the bundle (scripts/bundle.mjs): they load from dist/bundle/, never from node_modules.
const BUNDLED = ['@sinclair/typebox', 'yaml', 'yargs'];

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'exp-startup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The URLs of the modules a command loads. */
async function modulesLoaded(args: string[]): Promise<string[]> {
  const trace = path.join(dir, `${args.join('_').replace(/\W/g, '_')}.txt`);
  const r = await exp(args, { env: { NODE_OPTIONS: `--import ${TRACER}`, EXP_PACKAGE_TRACE: trace } });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').split('\n');
}

const NODE_MODULES = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//;
const bundleChunks = (urls: string[]): string[] => [...new Set(urls.filter((url) => /\/dist\/bundle\/[^/]+\.js$/.test(url)))];

/** The npm packages of modules loaded from node_modules, by name. */
const fromNodeModules = (urls: string[]): Set<string> =>
  new Set(urls.map((url) => NODE_MODULES.exec(url)?.[1]).filter((n): n is string => n !== undefined));

/**
 * The npm packages a command loads, by name: those from node_modules, and those inside the bundle's
 * chunks it loads, named by esbuild's comment above each module (`// node_modules/yaml/dist/index.js`).
 */
function packages(urls: string[]): Set<string> {
  const loaded = fromNodeModules(urls);
  for (const chunk of bundleChunks(urls)) {
    for (const [, name] of readFileSync(fileURLToPath(chunk), 'utf8').matchAll(/^\/\/ (?:\S*\/)?node_modules\/((?:@[^/\s]+\/)?[^/\s]+)\/\S*$/gm)) loaded.add(name!);
  }
  return loaded;
}

/** What every traced command must show: bin/exp.js ran the bundle, not tsc's modules, with its packages inside. */
function expectBundle(urls: string[]): void {
  expect(urls.some((url) => url.endsWith('/dist/bundle/main.js'))).toBe(true);
  expect(urls.filter((url) => url.includes('/dist/cli/'))).toEqual([]);
  const outside = fromNodeModules(urls);
  for (const name of BUNDLED) expect(outside, name).not.toContain(name);
}

describe('start-up', () => {
  it('exp validate loads the config packages and no engine, renderer, image decoder or schema compiler', async () => {
    const modules = await modulesLoaded(['validate', '--no-data', 'experiments/cnn2.yaml']);
    expectBundle(modules);
    const loaded = packages(modules);
    // The trace sees what validate really uses, so an empty trace cannot pass.
    expect(loaded).toContain('yaml');
    expect(modules.some((m) => /\/dist\/bundle\/validate-\w+\.js$/.test(m))).toBe(true);
    expect(modules.some((m) => m.includes('/dist/config/validators/'))).toBe(true);
    for (const name of HEAVY) expect(loaded, name).not.toContain(name);
    // The validators are generated at build time: ajv's compiler is not loaded.
    expect(modules.filter((m) => m.includes('/node_modules/ajv/dist/compile/'))).toEqual([]);
  });

  it('exp --help loads no engine either', async () => {
    const modules = await modulesLoaded(['--help']);
    expectBundle(modules);
    const loaded = packages(modules);
    expect(loaded).toContain('yargs');
    for (const name of HEAVY) expect(loaded, name).not.toContain(name);
  });
});
