import type { Component } from '../registry/component.js';
import type { Registry } from '../registry/registry.js';
import { checkSchema } from './ajv.js';
import { dotted, show, type IssueCollector } from './collector.js';
import { normalizeEntry } from './entries.js';
import type { PathKey } from './locate.js';
import { lookup } from './lookup.js';
import { isMapping } from './merge.js';

/**
 * Checks a list of `- name: {params}` entries against a registry and each component's own
 * params schema, rewriting every entry as `{name: params}` with defaults filled in.
 */
export function checkEntryList<C extends Component<never, unknown>>(list: unknown[], registry: Registry<C>, keys: PathKey[], issues: IssueCollector): void {
  list.forEach((raw, i) => {
    const checked = checkEntry(raw, registry, [...keys, i], issues);
    if (checked) list[i] = checked;
  });
}

/** One `name: {params}` entry (or a bare name) checked like a list's; returns it as `{name: params}` with defaults, if valid. */
export function checkEntry<C extends Component<never, unknown>>(raw: unknown, registry: Registry<C>, keys: PathKey[], issues: IssueCollector): Record<string, unknown> | undefined {
  const { name, params } = normalizeEntry(raw);
  const component = lookup(registry, name, [...keys, ...(typeof raw === 'string' ? [] : [name])], issues, 'key');
  if (!component) return undefined;
  const value = typeof raw === 'string' ? null : (raw as Record<string, unknown>)[name];
  if (value !== null && value !== undefined && !isMapping(value)) {
    const dash = typeof keys.at(-1) === 'number' ? '- ' : '';
    issues.add([...keys, name], `${dotted([...keys, name])} takes its params as a mapping, \`${dash}${name}: {...}\` (got ${show(value)})`);
    return undefined;
  }
  checkSchema(component.params, params, [...keys, name], issues);
  return { [name]: params };
}
