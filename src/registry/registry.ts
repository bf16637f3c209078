import type { TSchema } from '@sinclair/typebox';
import { closest } from '../config/suggest.js';

/** What every registered component has: a name, a one-line summary and its params schema. */
export interface Entry {
  readonly name: string;
  readonly summary: string;
  readonly params: TSchema;
}

/** `losses`, `class-weight strategies`: a registry kind in the plural, for messages. */
export const plural = (kind: string): string => (kind.endsWith('s') ? `${kind}es` : /[^aeiou]y$/.test(kind) ? `${kind.slice(0, -1)}ies` : `${kind}s`);

/** Raised when a name is not registered; the message names the registry and lists what exists. */
export class UnknownNameError extends Error {
  constructor(
    readonly registry: string,
    readonly wanted: string,
    readonly known: readonly string[],
    readonly suggestion: string | undefined,
  ) {
    super(
      `no ${registry} named '${wanted}'` +
        (suggestion ? ` (did you mean '${suggestion}'?)` : '') +
        `; registered ${plural(registry)}: ${known.join(', ')}`,
    );
  }
}

/** A typed name -> component table (fvcore/timm style), one per kind of component. */
export class Registry<T extends Entry> {
  readonly #entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  register(entry: T): T {
    if (this.#entries.has(entry.name)) {
      throw new Error(`${this.kind} '${entry.name}' is registered twice`);
    }
    this.#entries.set(entry.name, entry);
    return entry;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  get(name: string): T {
    const entry = this.#entries.get(name);
    if (!entry) throw new UnknownNameError(this.kind, name, this.names(), closest(name, this.names()));
    return entry;
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  entries(): T[] {
    return this.names().map((n) => this.get(n));
  }
}
