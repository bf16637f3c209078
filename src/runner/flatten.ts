import { classKey } from '../data/class-keys.js';

/**
 * The resolved experiment as MLflow params: dotted keys, scalar values as strings, lists of
 * scalars as JSON (`model.params.filters` -> `[32,64]`), lists of mappings by index. Map keys
 * that name classes (`class_weight`, filename label patterns) become their class keys, as in
 * every other key (`class_weight.A+B` -> `class_weight.A_B-<6 hex>`).
 */
export function flattenParams(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (v: unknown, key: string): void => {
    if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) {
      v.forEach((item, i) => visit(item, `${key}.${i}`));
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const entries = Object.entries(v);
      if (entries.length === 0) out[key] = '{}';
      for (const [k, child] of entries) visit(child, key ? `${key}.${classKey(k)}` : classKey(k));
    } else if (key) {
      out[key] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  };
  visit(value, prefix);
  return out;
}

/** JSON with sorted keys: the same config always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
