import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigIssue } from './issues.js';
import { displayPath, positionIssueWhere, type Override, type Source } from './locate.js';
import { deepMerge, isMapping, type Mapping } from './merge.js';
import { applyOverrides } from './overrides.js';

/** An experiment read from disk: merged through `extends`, overrides applied, not yet validated. */
export interface LoadedExperiment {
  file: string;
  value: Mapping;
  /** The file and the files it extends, child first: where each value may have come from. */
  sources: Source[];
  overrides: Override[];
}

/** Where each repeated key of a mapping starts (its second and later occurrences). */
function duplicateKeys(doc: Document.Parsed): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) offsets.push((pair.key as Node | null)?.range?.[0] ?? 0);
        seen.add(key);
      }
    },
  });
  return offsets;
}

/** An experiment is a few KB; this bounds what a mistaken `extends: /dev/zero` or a huge file makes exp read. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Reads a config file: regular files only (a symlink to one is fine), at most MAX_CONFIG_BYTES.
 * The read itself is bounded too: /proc files report size 0 and a file can grow after the stat.
 */
function readConfigText(file: string): string {
  const stat = statSync(file);
  if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!stat.isFile()) throw new Error('is not a regular file (a device, pipe or socket)');
  if (stat.size > MAX_CONFIG_BYTES) throw new Error(`is ${stat.size} bytes; an experiment file may have at most ${MAX_CONFIG_BYTES}`);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > MAX_CONFIG_BYTES) throw new Error(`is more than ${MAX_CONFIG_BYTES} bytes; an experiment file may have at most that`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Text a code frame may show: printable UTF-8, as YAML allows it. Anything else (NUL-separated
 * /proc/self/environ, a binary) is not an experiment file and is never echoed back.
 */
const NOT_YAML_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

// Alias bombs ("billion laughs") are refused by yaml after this many alias expansions.
const MAX_ALIASES = 100;

export function readSource(file: string, from: ConfigIssue['where']): { source?: Source; value?: Mapping; issues: ConfigIssue[] } {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { issues: [{ message: `cannot read experiment ${displayPath(file)}: ${why}`, where: from }] };
  }
  if (NOT_YAML_TEXT.test(text)) {
    return { issues: [{ message: `cannot read experiment ${displayPath(file)}: it is not a YAML text file (it holds control characters or bytes that are not UTF-8)`, where: from }] };
  }
  const lines = new LineCounter();
  // yaml's own uniqueKeys compares each key with every other (16,000 keys: 2.5 s); duplicateKeys is linear.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, strict: true });
  const source: Source = { file, text, doc, lines };
  const duplicates = duplicateKeys(doc).map((offset) => ({ message: 'duplicate key: Map keys must be unique', where: positionIssueWhere(source, offset) }));
  if (doc.errors.length > 0 || duplicates.length > 0) {
    return {
      issues: [...doc.errors.map((err) => ({
        message: err.code === 'DUPLICATE_KEY' ? `duplicate key: ${err.message.replace(/ at line.*$/s, '')}` : `YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        where: positionIssueWhere(source, err.pos[0]),
      })), ...duplicates],
    };
  }
  if (doc.contents === null) return { issues: [{ message: `${displayPath(file)} is empty: an experiment needs at least experiment, name, data, model and train`, where: positionIssueWhere(source, 0) }] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return { issues: [{ message: `refusing ${displayPath(file)}: ${(e as Error).message} (more than ${MAX_ALIASES} alias expansions)`, where: positionIssueWhere(source, 0) }] };
  }
  if (!isMapping(value)) {
    return { issues: [{ message: `the top level of an experiment must be a mapping of keys (got ${Array.isArray(value) ? 'a list' : typeof value})`, where: positionIssueWhere(source, doc.contents.range?.[0] ?? 0) }] };
  }
  return { source, value, issues: [] };
}

/** Reads an experiment file, follows its `extends` chain (child wins) and applies overrides. */
export function loadExperiment(file: string, overrides: Override[] = []): LoadedExperiment {
  const sources: Source[] = [];
  const values: Mapping[] = [];
  const seen: string[] = [];
  let current = path.resolve(file);
  let from: ConfigIssue['where'];
  for (;;) {
    const { source, value, issues } = readSource(current, from);
    if (!source || !value) throw new ConfigError(issues);
    const real = realpathSync(current);
    if (seen.includes(real)) {
      throw new ConfigError([{ message: `cyclic extends: ${[...seen, real].map(displayPath).join(' -> ')}`, where: from }]);
    }
    seen.push(real);
    sources.push(source);
    values.push(value);
    const parent = value.extends;
    if (parent === undefined) break;
    const extendsNode = source.doc.get('extends', true) as Node | undefined;
    const extendsWhere = positionIssueWhere(source, extendsNode?.range?.[0] ?? 0);
    if (typeof parent !== 'string' || parent.length === 0) throw new ConfigError([{ message: 'extends must be a file path', where: extendsWhere }]);
    current = path.resolve(path.dirname(current), parent);
    from = extendsWhere;
  }
  // Merge from the root of the chain down, so each file wins over the ones it extends.
  const merged = values.reduceRight<Mapping>((acc, v) => deepMerge(acc, v), {});
  delete merged.extends;
  const issues = applyOverrides(merged, overrides);
  if (issues.length > 0) throw new ConfigError(issues);
  return { file: path.resolve(file), value: merged, sources, overrides };
}
