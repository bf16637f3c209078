// The build writes the built-in schemas' validators as ajv standalone code (src/config/write-validators.ts),
// and `exp validate` uses them instead of compiling: they must cover every schema the registries
// give now, and report exactly what compiling the schema at run time (as tests from src/ do) reports.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/core/print-issues.js';
import { schemaKey } from '../../src/config/ajv.js';
import { knownSchemas } from '../../src/config/known-schemas.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { ensureBuilt, exp, REPO } from '../cli/spawn-exp.js';
import { ExperimentDir, issuesOf } from '../helpers/experiment-files.js';

let dir: ExperimentDir;
beforeAll(() => {
  ensureBuilt();
  dir = new ExperimentDir();
});
afterAll(() => dir.cleanup());

/** Where a schema holds a value its JSON (what the generated code embeds) would change: Infinity, undefined, a function, a RegExp. */
function notJson(value: unknown, at: string): string[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => notJson(v, `${at}/${i}`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([k, v]) => notJson(v, `${at}/${k}`));
  }
  return [at];
}

describe('the generated validators', () => {
  it('cover every built-in schema (after a registry change, `npm run build` writes them again)', () => {
    const load = createRequire(import.meta.url);
    const missing = knownSchemas().filter((s) => {
      const file = path.join(REPO, 'dist', 'config', 'validators', `${schemaKey(s)}.cjs`);
      return !existsSync(file) || typeof load(file) !== 'function';
    });
    expect(missing.map((s: TSchema) => JSON.stringify(s).slice(0, 120)), 'dist/config/validators/ is stale: run npm run build').toEqual([]);
  });

  it('embed schemas that are their JSON', () => {
    expect(knownSchemas().flatMap((s) => notJson(s, '#'))).toEqual([]);
  });

  // Every keyword describe() words, in the experiment's schema and in components' params.
  const broken = {
    'schema.yaml': `experiment: e
name: ""
data:
  dir: data
  image: {size: [32], channels: 2, colour: 3}
  validation: {from: trian, fraction: 1.5}
  classes: [A, A]
  on_bad_image: skp
model:
  architecture: cnn2
  params: {filters: 32, dropout: 2}
augment:
  - {rotate: {degrees: 5}, zoom: {range: 0.1}}
  - rotate: {degres: 5}
train:
  epochs: 0
  batch_size: 8.5
evaluate:
  threshold: {maximize: acuracy, min_class_recall: 2}
targets: {accuracy: [1]}
trian: {}
`,
    'params.yaml': `experiment: e
name: n
data:
  dir: data
  image: {size: 32, channels: 1}
model:
  layers:
    - conv2d: {filters: 0, kernal: 3}
    - dense: {units: two}
augment:
  - zoom: {range: -1}
train:
  epochs: 1
  optimizer: {name: adam, lr: -1}
  schedule: {name: cosine, warmup_epochs: -1}
  loss: {name: focal, gamma: -2}
  callbacks: [{early_stopping: {patience: x}}]
evaluate:
  tta: [{hflip: {x: 1}}]
`,
  };

  for (const [name, text] of Object.entries(broken)) {
    it(`report ${name}'s problems as compiled schemas do`, async () => {
      const file = dir.write(name, text);
      const issues = issuesOf(() => loadAndValidate(file));
      expect(issues.length).toBeGreaterThanOrEqual(7);
      const r = await exp(['validate', '--no-data', file]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`${issues.map((i) => `${formatIssue(i)}\n`).join('')}${issues.length} problems found\n`);
    });
  }
});
