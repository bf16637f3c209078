import { Type, type TSchema } from '@sinclair/typebox';
import { builtinArchitectures, augmentations, callbacks, classWeights, layers, losses, optimizers, schedulers, schedules, ttaViews } from '../registry/index.js';
import type { Entry, Registry } from '../registry/registry.js';
import { ClassWeightValue, experimentSchema, type ComponentSlots } from './schema.js';

/** `name: {params}` for each entry of a registry (or the bare name, when no param is required): one entry of a list, or a single slot; `beside`: keys an entry may carry beside its component. */
function entryList<T extends Entry>(registry: Registry<T>, beside: Record<string, TSchema> = {}): TSchema {
  const bare = registry.entries().filter((e) => !((e.params.required as string[] | undefined)?.length));
  return Type.Union([
    ...(bare.length ? [Type.Unsafe({ type: 'string', enum: bare.map((e) => e.name) })] : []),
    ...registry.entries().map((e) =>
      Type.Object({ [e.name]: Type.Union([e.params, Type.Null()]), ...beside }, { additionalProperties: false, description: e.summary }),
    ),
  ]);
}

/** `{name: <entry>, ...its params}` for each entry of a registry (optimizers, schedules). */
function namedObjects<T extends Entry>(registry: Registry<T>, options: { default?: { name: string } } = {}): TSchema {
  return Type.Union(
    registry.entries().map((e) => Type.Object({ name: Type.Literal(e.name), ...(e.params.properties as Record<string, TSchema>) }, { additionalProperties: false, description: e.summary })),
    options,
  );
}

/** What a model's entry may carry beside its layer (graph-entries.ts). */
const GRAPH_ENTRY_KEYS: Record<string, TSchema> = {
  id: Type.Optional(Type.String({ description: 'a name for this output, for a later in:' })),
  in: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], { description: 'the id(s) this takes; default: the entry before' })),
  repeat: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\$' })], { description: 'stack this entry n times' })),
};

/**
 * The experiment schema with every registry filled in, for editors (yaml-language-server
 * completes and checks experiment files that point at it with `$schema`).
 */
export function editorSchema(): Record<string, unknown> {
  const slots: ComponentSlots = {
    architectureModel: Type.Object({}, {
      allOf: builtinArchitectures().entries().map((a) => ({
        if: { properties: { architecture: { const: a.name } }, required: ['architecture'] },
        then: { properties: { params: a.params } },
      })),
    }),
    layer: entryList(layers, GRAPH_ENTRY_KEYS),
    augmentation: entryList(augmentations),
    callback: entryList(callbacks),
    scheduler: entryList(schedulers),
    ttaView: entryList(ttaViews),
    classWeight: Type.Union([
      Type.Unsafe({ type: 'string', enum: classWeights.names(), description: 'a class-weight strategy' }),
      Type.Record(Type.String(), ClassWeightValue, { description: '{CLASS: weight}' }),
    ]),
    optimizer: namedObjects(optimizers),
    schedule: namedObjects(schedules, { default: { name: 'constant' } }),
    loss: Type.Union([Type.Unsafe({ type: 'string', enum: losses.names() }), namedObjects(losses)]),
  };
  const full = relaxRequired(experimentSchema(slots), (s) => s.default !== undefined);
  const { properties, additionalProperties } = full;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'exp experiment',
    type: 'object',
    // A file that extends another may give any part of an experiment; the merge is checked by exp.
    if: { required: ['extends'] },
    then: relaxRequired({ type: 'object', properties, additionalProperties }, () => true),
    else: full,
  };
}

/** A deep copy of `schema` in which the properties that `drop` picks are no longer required. */
function relaxRequired(schema: object, drop: (property: TSchema) => boolean): Record<string, unknown> {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v);
    const props = (node as TSchema).properties as Record<string, TSchema> | undefined;
    if (Array.isArray(out.required) && props) {
      const kept = (out.required as string[]).filter((name) => !props[name] || !drop(props[name]));
      if (kept.length > 0) out.required = kept;
      else delete out.required;
    }
    return out;
  };
  return walk(schema) as Record<string, unknown>;
}

/** The schema file as checked in: generated, stable key order, trailing newline. */
export const editorSchemaText = (): string => `${JSON.stringify(editorSchema(), null, 2)}\n`;
