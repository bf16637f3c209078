import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { checkSchema } from '../../config/ajv.js';
import { IssueCollector } from '../../config/collector.js';
import type { ConfigIssue } from '../../config/issues.js';
import { checkEntryList } from '../../config/component-lists.js';
import { normalizeEntry } from '../../config/entries.js';
import { readSource } from '../../config/load.js';
import { displayPath } from '../../config/locate.js';
import { NamedEntry } from '../../config/schema.js';
import { layers } from '../layers/index.js';
import { Params } from '../params.js';
import type { Registry } from '../registry.js';
import { type ArchitectureComponent, entry } from './architecture.js';

/** A model written in YAML alone: `name`, an optional `summary`, and its `layers`. */
export const ModelFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: '^[A-Za-z][\\w-]*$', description: 'the architecture name experiments use' }),
    summary: Type.Optional(Type.String()),
    layers: Type.Array(NamedEntry, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** Reads one model file; its errors point into that file. */
export function loadModelFile(file: string, issues: ConfigIssue[]): ArchitectureComponent | undefined {
  const { source, value, issues: readIssues } = readSource(file, undefined);
  issues.push(...readIssues);
  if (!source || !value) return undefined;
  const local = new IssueCollector([source]);
  if (checkSchema(ModelFileSchema, value, [], local)) checkEntryList(value.layers as unknown[], layers, ['layers'], local);
  issues.push(...local.issues);
  if (local.issues.length > 0) return undefined;
  const body = (value.layers as unknown[]).map(normalizeEntry).map((e) => entry(e.name, e.params));
  return {
    name: String(value.name),
    summary: typeof value.summary === 'string' ? value.summary : `layers from ${displayPath(file)}`,
    params: Params({}),
    source: file,
    create: () => body,
  };
}

const isModelFile = (f: string) => /\.ya?ml$/i.test(f);

/**
 * Registers every model file in `dirs` (e.g. `experiments/models/`), so experiments can name
 * them like built-in architectures. A file with errors is not registered; its issues are
 * returned under its file name (without extension), to report when an experiment names it.
 */
export function registerModelFiles(registry: Registry<ArchitectureComponent>, dirs: string[]): Map<string, ConfigIssue[]> {
  const broken = new Map<string, ConfigIssue[]>();
  for (const dir of new Set(dirs.map((d) => path.resolve(d)))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter(isModelFile).sort()) {
      const file = path.join(dir, f);
      const issues: ConfigIssue[] = [];
      const arch = loadModelFile(file, issues);
      if (arch && registry.has(arch.name)) {
        const other = registry.get(arch.name).source;
        issues.push({ message: `model file ${displayPath(file)} names architecture '${arch.name}', which ${other ? `${displayPath(other)} already defines` : 'is built in'}; rename one` });
      } else if (arch) {
        registry.register(arch);
      }
      if (issues.length > 0) broken.set(path.parse(f).name, issues);
    }
  }
  return broken;
}
