import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { Pair } from '../model/spec.js';

/**
 * A string enum as one JSON Schema `enum` (TypeBox's union of literals would give ajv
 * one error per literal instead of one error listing the allowed values).
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { default?: T[number]; description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A size given as one integer (square) or as [height, width]. */
export function SizePair(options: { default?: number; description: string; minimum?: number }) {
  const minimum = options.minimum ?? 1;
  return Type.Union(
    [Type.Integer({ minimum }), Type.Tuple([Type.Integer({ minimum }), Type.Integer({ minimum })])],
    { description: options.description, ...(options.default !== undefined ? { default: options.default } : {}) },
  );
}

export function toPair(size: number | readonly number[]): Pair {
  return typeof size === 'number' ? [size, size] : [size[0]!, size[1]!];
}

/** Component params: closed objects, so a misspelt key is an error, not silently ignored. */
export function Params<T extends Record<string, TSchema>>(properties: T) {
  return Type.Object(properties, { additionalProperties: false });
}

export type ParamsOf<S extends TSchema> = Static<S>;
