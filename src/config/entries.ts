import { isMapping } from './merge.js';

/** `- name: {params}`, `- name:` and `- name` all mean one component with (maybe empty) params. */
export function normalizeEntry(value: unknown): { name: string; params: Record<string, unknown> } {
  if (typeof value === 'string') return { name: value, params: {} };
  const [name, params] = Object.entries(value as Record<string, unknown>)[0]!;
  return { name, params: isMapping(params) ? params : {} };
}
