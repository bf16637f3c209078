import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigIssue } from './issues.js';

/** One parsed YAML file with what is needed to point into it. */
export interface Source {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export type PathKey = string | number;

/** A `--set key.path=value` after parsing. */
export interface Override {
  path: string[];
  value: unknown;
  text: string;
  /** What set it, as messages name it: `--set` (default) or `sweep`. */
  origin?: string;
}

const overrideWhere = (o: Override) => ({ override: o.text, ...(o.origin ? { origin: o.origin } : {}) });

/** Shown file names are relative to the working directory, as a user typed them. */
export const displayPath = (file: string): string => {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
};

/** Longer lines are cut in a code frame: the caret's neighbourhood is what helps. */
const FRAME_WIDTH = 160;

/** Line `n` (1-based) of a source, found through its line index (no split of the whole text per issue). */
function lineOf(source: Source, n: number): string {
  const starts = source.lines.lineStarts;
  if (n < 1 || n > starts.length) return '';
  return source.text.slice(starts[n - 1], n < starts.length ? starts[n]! : undefined).replace(/\r?\n$/, '');
}

/** A short code frame: the line before, the line, and a caret under the column. */
export function codeFrame(source: Source, line: number, col: number): string {
  const width = String(line).length;
  // Keep the caret on screen: a long line is shown from a little before the column.
  const from = col > FRAME_WIDTH ? col - Math.floor(FRAME_WIDTH / 2) : 0;
  const cut = (text: string) => (from > 0 ? '...' : '') + text.slice(from, from + FRAME_WIDTH) + (text.length > from + FRAME_WIDTH ? '...' : '');
  const out: string[] = [];
  for (let n = Math.max(1, line - 1); n <= line; n++) out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${cut(lineOf(source, n))}`);
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, col - 1 - from + (from > 0 ? 3 : 0)))}^`);
  return out.join('\n');
}

export function positionIssueWhere(source: Source, offset: number): NonNullable<ConfigIssue['where']> {
  const { line, col } = source.lines.linePos(offset);
  return { file: displayPath(source.file), line, col, frame: codeFrame(source, line, col) };
}

/** Each mapping's pairs by key, built once: an issue per key of a 16,000-key mapping stays linear. */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: PathKey): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndex.set(map, index);
  }
  return index.get(String(key));
}

/** The node at `path` and, for a map entry, its key node (an unknown key is shown at the key). */
function nodeAt(doc: Document.Parsed, keys: PathKey[]): { value?: Node; key?: Node } | undefined {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const k of keys) {
    if (isMap(node)) {
      const pair = pairOf(node, k);
      if (!pair) return undefined;
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof k === 'number') {
      if (k >= node.items.length) return undefined;
      key = undefined;
      node = node.items[k];
    } else {
      return undefined;
    }
  }
  return { value: (node ?? undefined) as Node | undefined, key };
}

/**
 * Finds where the value at `path` came from: the first override or file of the `extends`
 * chain (child first) that holds it; failing that, the nearest enclosing value that exists.
 * `at: 'key'` points at the key of a map entry (for unknown keys).
 */
export function locate(sources: Source[], overrides: Override[], keys: PathKey[], at: 'key' | 'value' = 'value'): ConfigIssue['where'] {
  // A value set (or inside a value set) by --set is reported as that override; the last one wins.
  const override = [...overrides].reverse().find((o) => o.path.length <= keys.length && o.path.every((k, i) => String(keys[i]) === k));
  if (override) return overrideWhere(override);
  // A path no file holds, created by an override that sets something inside it: that override.
  const creator = [...overrides].reverse().find((o) => o.path.length > keys.length && keys.every((k, i) => String(k) === o.path[i]));
  if (creator && !sources.some((s) => nodeAt(s.doc, keys))) return overrideWhere(creator);
  for (let depth = keys.length; depth >= 0; depth--) {
    for (const source of sources) {
      const found = nodeAt(source.doc, keys.slice(0, depth));
      if (!found) continue;
      const node = at === 'key' && depth === keys.length && found.key ? found.key : (found.value ?? found.key);
      return positionIssueWhere(source, node?.range?.[0] ?? 0);
    }
  }
  return undefined;
}
