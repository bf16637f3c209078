import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { dotted, show, type IssueCollector } from './collector.js';
import type { PathKey } from './locate.js';
import { closest } from './suggest.js';

/** useDefaults fills in every default the schemas declare, so the validated config is complete. */
export const AJV_OPTIONS: Options = { allErrors: true, useDefaults: true, verbose: true, strict: false };

/** A schema's name in the generated validators: a hash of its JSON and the options, so a changed schema is a new name. */
export const schemaKey = (schema: TSchema): string => createHash('sha1').update(JSON.stringify(AJV_OPTIONS)).update(JSON.stringify(schema)).digest('hex');

/**
 * dist/config/validators/, written by the build (write-validators.ts): one file per schema key.
 * Reached through the parent folder so that it is the same folder from dist/config/ajv.js and from
 * the bundle's chunks (dist/bundle/, scripts/bundle.mjs).
 */
export const GENERATED_VALIDATORS = new URL('../config/validators/', import.meta.url);
export const generatedValidatorFile = (key: string): string => fileURLToPath(new URL(`${key}.cjs`, GENERATED_VALIDATORS));

const require = createRequire(import.meta.url);

/**
 * A built-in schema's validator, generated at build time as ajv standalone code: compiling them
 * at run time was about a quarter of `exp validate`'s profile. One file each, since the
 * experiment's alone is a third of them all. Missing (dist/ built by tsc alone, tests run from
 * src/), the schema is compiled when first used, as a model file's params always are.
 */
function generatedValidator(schema: TSchema): ValidateFunction | undefined {
  const file = generatedValidatorFile(schemaKey(schema));
  return existsSync(file) ? (require(file) as ValidateFunction) : undefined;
}

// ajv's compiler loads only for a schema the build did not see.
let ajv: Ajv | undefined;
const runtimeAjv = (): Ajv => (ajv ??= new (require('ajv') as typeof import('ajv')).Ajv(AJV_OPTIONS));

const compiled = new WeakMap<TSchema, ValidateFunction>();

function validator(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = generatedValidator(schema) ?? runtimeAjv().compile(schema)));
  return fn;
}

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

const COMPARISONS: Record<string, string> = { minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<' };

/**
 * Of an anyOf's errors, keeps those of the one branch whose type fits the value (so a typo
 * inside an object form is reported as such), else the anyOf error alone.
 */
function pruneAnyOf(errors: ErrorObject[]): ErrorObject[] {
  let kept = errors;
  for (const e of errors.filter((x) => x.keyword === 'anyOf')) {
    const branches = (e.schema as TSchema[]) ?? [];
    const actual = jsonType(e.data);
    const fitting = branches
      .map((b, i) => ({ i, type: b.type as string | undefined }))
      .filter(({ type }) => type === actual || (type === 'number' && actual === 'integer') || (type === 'object' && actual === 'object'));
    const inside = (x: ErrorObject) => x.schemaPath.startsWith(`${e.schemaPath}/`);
    const onlyBranch = fitting.length === 1 ? `${e.schemaPath}/${fitting[0]!.i}/` : undefined;
    kept = kept.filter((x) => (x === e ? !onlyBranch : !inside(x) || (onlyBranch !== undefined && x.schemaPath.startsWith(onlyBranch))));
  }
  return kept;
}

function toKeys(instancePath: string): PathKey[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

function describe(e: ErrorObject, keys: PathKey[], issues: IssueCollector): void {
  const name = dotted(keys);
  const p = e.params as Record<string, unknown>;
  const parent = e.parentSchema as TSchema | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys((parent?.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
      const guess = closest(key, allowed);
      issues.add(
        [...keys, key],
        `unknown key '${key}' in ${name}` + (guess ? ` (did you mean '${guess}'?)` : ''),
        allowed.length ? [`allowed keys: ${allowed.join(', ')}`] : [`${name} takes no keys`],
        'key',
      );
      return;
    }
    case 'required':
      issues.add(keys, `${name} is missing the required key '${String(p.missingProperty)}'`);
      return;
    case 'type':
      issues.add(keys, `${name} must be ${article(String(p.type))} (got ${show(e.data)})`);
      return;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      issues.add(keys, `${name} must be ${COMPARISONS[e.keyword]} ${String(p.limit)} (got ${show(e.data)})`);
      return;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      issues.add(keys, `${name} must be one of: ${allowed.join(', ')} (got ${show(e.data)})` + (guess ? `; did you mean '${guess}'?` : ''));
      return;
    }
    case 'const':
      issues.add(keys, `${name} must be ${show(p.allowedValue)} (got ${show(e.data)})`);
      return;
    case 'minItems':
    case 'maxItems':
      issues.add(keys, `${name} must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} item(s) (got ${(e.data as unknown[]).length})`);
      return;
    case 'minLength':
      issues.add(keys, `${name} must not be empty`);
      return;
    case 'uniqueItems':
      issues.add(keys, `${name} lists an item twice (items ${String(p.j)} and ${String(p.i)})`);
      return;
    case 'maxProperties':
    case 'minProperties':
      issues.add(keys, `${name} must name exactly one component, as \`- name: {params}\` (got ${Object.keys(e.data as object).length} keys)`);
      return;
    case 'anyOf':
      issues.add(keys, `${name} must be ${(parent?.description as string | undefined) ?? 'one of the allowed forms'} (got ${show(e.data)})`);
      return;
    default:
      issues.add(keys, `${name} ${e.message ?? 'is invalid'}`);
  }
}

/**
 * Validates `data` (in place: defaults are filled in) against `schema`, reporting each error
 * at `prefix` + its path. Returns whether it was valid.
 */
export function checkSchema(schema: TSchema, data: unknown, prefix: PathKey[], issues: IssueCollector): boolean {
  const validate = validator(schema);
  if (validate(data)) return true;
  for (const e of pruneAnyOf(validate.errors ?? [])) describe(e, [...prefix, ...toKeys(e.instancePath)], issues);
  return false;
}

/** A copy of `params` with the schema's defaults filled in, as validation fills them (not checked: validation did that). */
export function withDefaults<T>(schema: TSchema, params: T): T {
  const copy = structuredClone(params);
  validator(schema)(copy);
  return copy;
}
