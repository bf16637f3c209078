export type Mapping = Record<string, unknown>;

export const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys that reach an object's prototype when assigned: never taken from users as paths. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const isReservedKey = (key: string): boolean => RESERVED_KEYS.has(key);

/**
 * Sets `obj[key]` as an own property: a key from a user (`__proto__` in a YAML file) is data,
 * never a write through the prototype.
 */
export function setOwn(obj: Mapping, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `obj[key]` if obj itself holds it; inherited members (`constructor`) are not config values. */
export const getOwn = (obj: Mapping, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

/** Deep merge for `extends`: mappings merge key by key, anything else (lists too) is replaced. */
export function deepMerge(base: Mapping, over: Mapping): Mapping {
  const out: Mapping = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = getOwn(out, k);
    setOwn(out, k, isMapping(b) && isMapping(v) ? deepMerge(b, v) : v);
  }
  return out;
}
