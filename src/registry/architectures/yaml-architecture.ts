import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Type, type TSchema } from '@sinclair/typebox';
import { checkSchema } from '../../config/ajv.js';
import { IssueCollector } from '../../config/collector.js';
import { ConfigError, type ConfigIssue } from '../../config/issues.js';
import type { PathKey } from '../../config/locate.js';
import type { Mapping } from '../../config/merge.js';
import { expandGraph, type GraphModelDef } from '../../model/graph-entries.js';
import { readSource } from '../../config/load.js';
import { displayPath } from '../../config/locate.js';
import { Params } from '../params.js';
import type { Registry } from '../registry.js';
import type { ArchitectureComponent } from './architecture.js';

/** A model's `params:` (defaults, settable from the experiment) and `blocks:` (sub-graphs used by name). */
export const GraphModelParts = {
  params: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_]\\w*$' }), Type.Unknown(), { description: 'params with their defaults; $name in layer params and repeat: uses them' })),
  blocks: Type.Optional(
    Type.Record(
      Type.String({ pattern: '^[A-Za-z][\\w-]*$' }),
      Type.Object({ params: Type.Optional(Type.Record(Type.String(), Type.Unknown())), layers: Type.Array(Type.Unknown(), { minItems: 1 }) }, { additionalProperties: false }),
      { description: 'sub-graphs with their own params, used by name like layers' },
    ),
  ),
};

/** A model written in YAML alone: `name`, an optional `summary`, its `layers`, and the params and blocks they use. */
export const ModelFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: '^[A-Za-z][\\w-]*$', description: 'the architecture name experiments use' }),
    summary: Type.Optional(Type.String()),
    ...GraphModelParts,
    layers: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** The schema of a model's params, from their defaults: each keeps its default's type. */
function paramsSchema(defaults: Mapping): TSchema {
  const typed = (v: unknown): TSchema =>
    Number.isInteger(v) ? Type.Integer({ default: v }) : typeof v === 'number' ? Type.Number({ default: v }) : typeof v === 'string' ? Type.String({ default: v }) : typeof v === 'boolean' ? Type.Boolean({ default: v }) : Type.Unknown({ default: v });
  return Params(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, typed(v)])));
}

/**
 * An architecture from a graph model (a model file, or `model:` inline at `keys`): expanding it
 * with its default params finds every problem, located in `issues`' sources; expanding it with an
 * experiment's params gives the layer entries, or a ConfigError located the same way.
 */
export function graphArchitecture(name: string, summary: string, def: GraphModelDef, keys: PathKey[], issues: IssueCollector, source?: string): ArchitectureComponent | undefined {
  const defaults = def.params ?? {};
  const before = issues.issues.length;
  expandGraph(def, defaults, keys, issues);
  if (issues.issues.length > before) return undefined;
  return {
    name,
    summary,
    params: paramsSchema(defaults),
    ...(source ? { source } : {}),
    create: (params) => {
      const local = new IssueCollector(issues.sources, issues.overrides);
      const entries = expandGraph(def, { ...defaults, ...(params as Mapping) }, keys, local);
      if (!entries) throw new ConfigError(local.issues);
      return entries;
    },
  };
}

/** Reads one model file; its errors point into that file. */
export function loadModelFile(file: string, issues: ConfigIssue[]): ArchitectureComponent | undefined {
  const { source, value, issues: readIssues } = readSource(file, undefined);
  issues.push(...readIssues);
  if (!source || !value) return undefined;
  const local = new IssueCollector([source]);
  const arch = checkSchema(ModelFileSchema, value, [], local)
    ? graphArchitecture(String(value.name), typeof value.summary === 'string' ? value.summary : `layers from ${displayPath(file)}`, value as unknown as GraphModelDef, [], local, file)
    : undefined;
  issues.push(...local.issues);
  return arch;
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
