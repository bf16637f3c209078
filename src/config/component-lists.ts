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
    const { name, params } = normalizeEntry(raw);
    const component = lookup(registry, name, [...keys, i, ...(typeof raw === 'string' ? [] : [name])], issues, 'key');
    if (!component) return;
    const value = typeof raw === 'string' ? null : (raw as Record<string, unknown>)[name];
    if (value !== null && value !== undefined && !isMapping(value)) {
      issues.add([...keys, i, name], `${dotted([...keys, i, name])} takes its params as a mapping, \`- ${name}: {...}\` (got ${show(value)})`);
      return;
    }
    checkSchema(component.params, params, [...keys, i, name], issues);
    list[i] = { [name]: params };
  });
}
