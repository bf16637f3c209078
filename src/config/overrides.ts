import { parse } from 'yaml';
import { ConfigError, type ConfigIssue } from './issues.js';
import type { Override } from './locate.js';
import { getOwn, isMapping, isReservedKey, setOwn, type Mapping } from './merge.js';

const KEY_PATH = /^[A-Za-z_$][\w-]*(\.[A-Za-z_$][\w-]*|\.\d+)*$/;

export const RESERVED_HINT = 'no experiment key is named __proto__, constructor or prototype';

/** Parses `key.path=value` strings; values are YAML (`3`, `true`, `[16, 32]`, `adam`). */
export function parseOverrides(texts: readonly string[]): { overrides: Override[]; issues: ConfigIssue[] } {
  const overrides: Override[] = [];
  const issues: ConfigIssue[] = [];
  for (const text of texts) {
    const where = { override: text };
    const eq = text.indexOf('=');
    if (eq < 0) {
      issues.push({ message: `malformed override '${text}': expected key.path=value`, where, hints: ['e.g. --set train.epochs=3'] });
      continue;
    }
    const key = text.slice(0, eq).trim();
    if (!KEY_PATH.test(key)) {
      issues.push({ message: `malformed override '${text}': '${key}' is not a dotted key path`, where, hints: ['e.g. --set train.optimizer.lr=0.0003'] });
      continue;
    }
    const reserved = key.split('.').find(isReservedKey);
    if (reserved) {
      issues.push({ message: `refusing override '${text}': '${reserved}' is not a config key`, where, hints: [RESERVED_HINT] });
      continue;
    }
    try {
      overrides.push({ path: key.split('.'), value: parse(text.slice(eq + 1), { maxAliasCount: 10 }) ?? null, text });
    } catch (e) {
      issues.push({ message: `malformed override '${text}': the value is not valid YAML (${(e as Error).message.split('\n')[0]})`, where });
    }
  }
  return { overrides, issues };
}

/** Sets each override's value at its path, creating mappings on the way; lists are indexed by number. */
export function applyOverrides(config: Mapping, overrides: readonly Override[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const o of overrides) {
    let node: unknown = config;
    for (const [i, k] of o.path.entries()) {
      const last = i === o.path.length - 1;
      if (Array.isArray(node) && /^\d+$/.test(k) && Number(k) <= node.length) {
        if (last) node[Number(k)] = o.value;
        else node = node[Number(k)] ??= {};
      } else if (isMapping(node)) {
        // Own properties only: the keys come from users (parseOverrides refuses __proto__ and co., this is the second line).
        const current = getOwn(node, k);
        if (last) setOwn(node, k, o.value);
        // Create missing mappings on the way, but never replace a value the config already has.
        else if (current === undefined || current === null) {
          const created: Mapping = {};
          setOwn(node, k, created);
          node = created;
        } else node = current;
      } else {
        issues.push({ message: `cannot set '${o.path.join('.')}': '${o.path.slice(0, i).join('.')}' is not a mapping or list`, where: { override: o.text } });
        break;
      }
    }
  }
  return issues;
}

/** `--set` texts as overrides; a malformed one is a located ConfigError. */
export function overridesFrom(texts: readonly string[]): Override[] {
  const { overrides, issues } = parseOverrides(texts);
  if (issues.length > 0) throw new ConfigError(issues);
  return overrides;
}
