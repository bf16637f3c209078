import type { ConfigIssue } from './issues.js';
import { locate, type Override, type PathKey, type Source } from './locate.js';

/** Gathers issues against one experiment, locating each by its path in the merged config. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  /** The config path of each issue added here, in order. */
  readonly paths: PathKey[][] = [];
  readonly #said = new Set<string>();

  constructor(
    readonly sources: Source[],
    readonly overrides: Override[] = [],
  ) {}

  add(keys: PathKey[], message: string, hints: string[] = [], at: 'key' | 'value' = 'value'): void {
    // The same error can come from several schemas at one path (model is an intersection): say it once.
    const said = `${dotted(keys)}\n${message}`;
    if (this.#said.has(said)) return;
    this.#said.add(said);
    this.paths.push(keys);
    this.issues.push({ message, where: locate(this.sources, this.overrides, keys, at), ...(hints.length ? { hints } : {}) });
  }
}

/** `train.optimizer.lr`, `augment[1].rotate`: how paths read in messages. */
export function dotted(keys: readonly PathKey[]): string {
  return keys.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '') || 'the experiment';
}

/** A value as a message quotes it: short, one line. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
