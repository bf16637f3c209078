/**
 * The subset of MLflow's run search syntax exp needs, so the file store filters and sorts like a
 * server: `metrics.acc > 0.9 and params.model = 'cnn'`, order_by `metrics.acc DESC`.
 */
import { invalidParameter } from './errors.js';
import type { Run, SearchRunsOptions } from './store.js';

type Entity = 'metrics' | 'params' | 'tags' | 'attributes';
type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE';

export interface Clause {
  entity: Entity;
  key: string;
  comparator: Comparator;
  value: string | number;
}

interface OrderTerm {
  entity: Entity;
  key: string;
  descending: boolean;
}

const ENTITY_ALIASES: Record<string, Entity> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attr: 'attributes',
  attribute: 'attributes',
  attributes: 'attributes',
  run: 'attributes',
};
const NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time']);
const STRING_ATTRIBUTES = new Set(['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage']);

// An identifier is `<entity>.<key>`, the key bare or quoted with backticks or double quotes.
const IDENTIFIER = /^([A-Za-z]+)\.(?:`([^`]+)`|"([^"]+)"|([\w./-]+))/;
const COMPARATOR = /^(<=|>=|!=|=|<|>|ILIKE\b|LIKE\b)/i;
const STRING_VALUE = /^(?:'((?:[^']|'')*)'|"([^"]*)")/;
const NUMBER_VALUE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const AND = /^AND\b/i;

function parseIdentifier(text: string, source: string): { entity: Entity; key: string; rest: string } {
  const m = IDENTIFIER.exec(text);
  const entity = m ? ENTITY_ALIASES[m[1]!.toLowerCase()] : undefined;
  if (!m || !entity) {
    throw invalidParameter(
      `Invalid search expression '${source}': expected metrics.<key>, params.<key>, tags.<key> or attributes.<name> at '${text}'`,
    );
  }
  const key = m[2] ?? m[3] ?? m[4]!;
  if (entity === 'attributes' && !NUMERIC_ATTRIBUTES.has(key) && !STRING_ATTRIBUTES.has(key)) {
    throw invalidParameter(
      `Invalid search expression '${source}': unknown attribute '${key}' (known: ${[...NUMERIC_ATTRIBUTES, ...STRING_ATTRIBUTES].join(', ')})`,
    );
  }
  return { entity, key, rest: text.slice(m[0].length).trimStart() };
}

function isNumeric(entity: Entity, key: string): boolean {
  return entity === 'metrics' || (entity === 'attributes' && NUMERIC_ATTRIBUTES.has(key));
}

export function parseFilter(filter: string): Clause[] {
  const clauses: Clause[] = [];
  let rest = filter.trim();
  while (rest.length > 0) {
    const ident = parseIdentifier(rest, filter);
    const cmp = COMPARATOR.exec(ident.rest);
    if (!cmp) throw invalidParameter(`Invalid search expression '${filter}': expected a comparator at '${ident.rest}'`);
    const comparator = cmp[1]!.toUpperCase() as Comparator;
    rest = ident.rest.slice(cmp[0].length).trimStart();
    const numeric = isNumeric(ident.entity, ident.key);
    const valueMatch = (numeric ? NUMBER_VALUE : STRING_VALUE).exec(rest);
    if (!valueMatch) {
      throw invalidParameter(
        `Invalid search expression '${filter}': expected a ${numeric ? 'number' : "quoted string ('...')"} at '${rest}'`,
      );
    }
    const numericComparator = !['LIKE', 'ILIKE'].includes(comparator);
    const stringComparator = ['=', '!=', 'LIKE', 'ILIKE'].includes(comparator);
    if (numeric ? !numericComparator : !stringComparator) {
      throw invalidParameter(`Invalid search expression '${filter}': ${comparator} does not apply to ${ident.entity}.${ident.key}`);
    }
    const value = numeric ? Number(valueMatch[0]) : (valueMatch[1]?.replaceAll("''", "'") ?? valueMatch[2]!);
    clauses.push({ entity: ident.entity, key: ident.key, comparator, value });
    rest = rest.slice(valueMatch[0].length).trimStart();
    if (rest.length > 0) {
      const and = AND.exec(rest);
      if (!and) throw invalidParameter(`Invalid search expression '${filter}': expected AND at '${rest}'`);
      rest = rest.slice(and[0].length).trimStart();
    }
  }
  return clauses;
}

export function parseOrderBy(term: string): OrderTerm {
  const ident = parseIdentifier(term.trim(), term);
  const direction = ident.rest.toUpperCase();
  if (direction !== '' && direction !== 'ASC' && direction !== 'DESC') {
    throw invalidParameter(`Invalid order_by '${term}': expected ASC or DESC after the key, got '${ident.rest}'`);
  }
  return { entity: ident.entity, key: ident.key, descending: direction === 'DESC' };
}

function valueOf(run: Run, entity: Entity, key: string): string | number | undefined {
  switch (entity) {
    case 'metrics':
      return run.data.metrics[key];
    case 'params':
      return run.data.params[key];
    case 'tags':
      return run.data.tags[key];
    case 'attributes': {
      const { info } = run;
      const attributes: Record<string, string | number | undefined> = {
        run_id: info.runId,
        run_name: info.runName,
        status: info.status,
        user_id: info.userId,
        artifact_uri: info.artifactUri,
        lifecycle_stage: info.lifecycleStage,
        start_time: info.startTime,
        end_time: info.endTime,
      };
      return attributes[key];
    }
  }
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.');
  return new RegExp(`^${body}$`, flags);
}

export function matches(run: Run, c: Clause): boolean {
  const actual = valueOf(run, c.entity, c.key);
  if (actual === undefined) return false; // MLflow: a run without the key never matches
  switch (c.comparator) {
    case '=':
      return actual === c.value;
    case '!=':
      return actual !== c.value;
    case '<':
      return actual < c.value;
    case '<=':
      return actual <= c.value;
    case '>':
      return actual > c.value;
    case '>=':
      return actual >= c.value;
    case 'LIKE':
      return likeToRegExp(String(c.value), 's').test(String(actual));
    case 'ILIKE':
      return likeToRegExp(String(c.value), 'si').test(String(actual));
  }
}

/** Missing (and NaN) sort values come last whatever the direction, as on the server. */
function compareBy(term: OrderTerm): (a: Run, b: Run) => number {
  return (a, b) => {
    const va = valueOf(a, term.entity, term.key);
    const vb = valueOf(b, term.entity, term.key);
    const missingA = va === undefined || Number.isNaN(va);
    const missingB = vb === undefined || Number.isNaN(vb);
    if (missingA || missingB) return Number(missingA) - Number(missingB);
    const order = va! < vb! ? -1 : va! > vb! ? 1 : 0;
    return term.descending ? -order : order;
  };
}

/** Filters and sorts runs; ties (and no order_by) fall back to newest start first, then run id, like MLflow. */
export function applySearch(runs: Run[], opts: Pick<SearchRunsOptions, 'filter' | 'orderBy'> = {}): Run[] {
  const clauses = opts.filter ? parseFilter(opts.filter) : [];
  const comparators = [
    ...(opts.orderBy ?? []).map((t) => compareBy(parseOrderBy(t))),
    compareBy({ entity: 'attributes', key: 'start_time', descending: true }),
    compareBy({ entity: 'attributes', key: 'run_id', descending: false }),
  ];
  return runs
    .filter((run) => clauses.every((c) => matches(run, c)))
    .sort((a, b) => {
      for (const cmp of comparators) {
        const order = cmp(a, b);
        if (order !== 0) return order;
      }
      return 0;
    });
}
