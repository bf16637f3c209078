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
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const trace = path.join(dir, `${args.join('_').replace(/\W/g, '_')}.txt`);
  const r = await exp(args, { env: { NODE_OPTIONS: `--import ${TRACER}`, EXP_PACKAGE_TRACE: trace } });
  expect(r.status, r.stderr).toBe(0);
  const names = readFileSync(trace, 'utf8')
    .split('\n')
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((n): n is string => n !== undefined);
  return new Set(names);
}

describe('start-up', () => {
  it('exp validate loads the config packages and no engine, renderer or image decoder', async () => {
    const loaded = await packagesLoaded(['validate', '--no-data', 'experiments/cnn2.yaml']);
    // The trace sees what validate really uses, so an empty trace cannot pass.
    expect(loaded).toContain('yaml');
    expect(loaded).toContain('ajv');
    for (const name of HEAVY) expect(loaded, name).not.toContain(name);
  });

  it('exp --help loads no engine either', async () => {
    const loaded = await packagesLoaded(['--help']);
    expect(loaded).toContain('yargs');
    for (const name of HEAVY) expect(loaded, name).not.toContain(name);
  });
});
