import { type Entry, plural, type Registry, UnknownNameError } from '../registry/registry.js';
import type { IssueCollector } from './collector.js';
import type { PathKey } from './locate.js';

/** Looks `name` up, reporting an unknown name at `keys` with the near miss and what exists. */
export function lookup<T extends Entry>(registry: Registry<T>, name: string, keys: PathKey[], issues: IssueCollector, at: 'key' | 'value' = 'value'): T | undefined {
  try {
    return registry.get(name);
  } catch (e) {
    if (!(e instanceof UnknownNameError)) throw e;
    issues.add(
      keys,
      `unknown ${e.registry} '${name}'` + (e.suggestion ? ` (did you mean '${e.suggestion}'?)` : ''),
      [`registered ${plural(e.registry)}: ${e.known.join(', ')}`, 'see them with their params: exp list'],
      at,
    );
    return undefined;
  }
}
