import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
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

// Alias bombs ("billion laughs") are refused by yaml after this many alias expansions.
const MAX_ALIASES = 100;

export function readSource(file: string, from: ConfigIssue['where']): { source?: Source; value?: Mapping; issues: ConfigIssue[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { issues: [{ message: `cannot read experiment ${displayPath(file)}: ${why}`, where: from }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const source: Source = { file, text, doc, lines };
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((err) => ({
        message: err.code === 'DUPLICATE_KEY' ? `duplicate key: ${err.message.replace(/ at line.*$/s, '')}` : `YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        where: positionIssueWhere(source, err.pos[0]),
      })),
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
