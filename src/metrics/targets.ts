import { classKey } from '../data/class-keys.js';
import { metricNames, metrics } from '../registry/metrics/index.js';

/** Comparison of a target expression; >= and > ask for at least, <= and < for at most. */
export type TargetOp = '>=' | '>' | '<=' | '<';

export interface Target {
  op: TargetOp;
  /** always a fraction in [0, 1]; "85%" parses to 0.85 */
  threshold: number;
}

/** A malformed target or unknown target name; the message is written for the person editing the YAML. */
export class TargetError extends Error {
  override name = 'TargetError';
}

const TARGET_RE = /^(>=|>|<=|<)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(%)?$/i;
const TARGET_FORMS = 'a comparison and a number like ">= 0.85", "> 0.9", "<= 0.2", "< 0.1", ">= 85%", or a plain number meaning ">="';

/** Parses ">= 0.85", "> 0.9", "<= 0.2", "< 0.1", ">= 85%", "0.85" or 0.85 (plain numbers mean >=). */
export function parseTarget(expression: string | number): Target {
  const text = String(expression).trim();
  const m = TARGET_RE.exec(text);
  if (m === null) throw new TargetError(`invalid target "${text}": expected ${TARGET_FORMS}`);
  const op = (m[1] ?? '>=') as TargetOp;
  const value = Number(m[2]);
  const threshold = m[3] === undefined ? value : value / 100;
  if (!(threshold >= 0 && threshold <= 1)) {
    const problem = m[3] === undefined
      ? `a value must be between 0 and 1${value > 1 && value <= 100 ? `; did you mean "${op} ${value}%"?` : ''}`
      : 'a percentage must be between 0% and 100%';
    throw new TargetError(`invalid target "${text}": ${problem}`);
  }
  return { op, threshold };
}

/** What a target name refers to: a registered metric with the `target` use, for every class or one. */
export type TargetMetric =
  | { kind: 'scalar'; metric: string }
  | { kind: 'every_class'; metric: string }
  | { kind: 'class'; metric: string; className: string };

function targetMetrics(classes: readonly string[]): Map<string, TargetMetric> {
  const map = new Map<string, TargetMetric>();
  const usable = metricNames('target').map((name) => metrics.get(name));
  for (const m of usable) map.set(m.name, { kind: m.perClass ? 'every_class' : 'scalar', metric: m.name });
  for (const m of usable.filter((x) => x.perClass)) {
    for (const className of classes) map.set(`${m.name}_${classKey(className)}`, { kind: 'class', metric: m.name, className });
  }
  return map;
}

/** Every name a target may have for these classes, e.g. accuracy, recall, recall_NORMAL. */
export function knownTargetNames(classes: readonly string[]): string[] {
  return [...targetMetrics(classes).keys()];
}

/** Resolves a target name; throws TargetError listing the known names when it is not one. */
export function parseTargetName(name: string, classes: readonly string[]): TargetMetric {
  const metric = targetMetrics(classes).get(name);
  if (metric === undefined) {
    throw new TargetError(`unknown target "${name}"; known targets: ${knownTargetNames(classes).join(', ')}`);
  }
  return metric;
}

export interface TargetResult {
  /** the target's name as written, e.g. "recall" */
  name: string;
  /** the flat metric judged, e.g. "test_recall_NORMAL" (for "every class" targets: the worst class's) */
  metric: string;
  /** for per-class targets: the class judged (the worst one for "every class" targets); else null */
  className: string | null;
  /** true for a per-class name without a class ("recall"), judged on every class */
  everyClass: boolean;
  op: TargetOp;
  threshold: number;
  /** NaN when the metric is missing or undefined */
  value: number;
  pass: boolean;
  /** signed so that positive is the passing side: value - threshold for >=/>, threshold - value for <=/< */
  margin: number;
  /** the metric's confidence interval where one was logged (`<metric>_ci_low/_ci_high`) */
  interval?: { low: number; high: number };
  /** judged with confidence: the point estimate passes but the interval does not clear the threshold */
  withinNoise?: boolean;
}

export interface Verdict {
  /** true only if every target passes (vacuously true with no targets) */
  pass: boolean;
  results: TargetResult[];
}

function compare(value: number, { op, threshold }: Target): boolean {
  switch (op) {
    case '>=': return value >= threshold;
    case '>': return value > threshold;
    case '<=': return value <= threshold;
    case '<': return value < threshold;
  }
}

function marginOf(value: number, { op, threshold }: Target): number {
  return op === '>=' || op === '>' ? value - threshold : threshold - value;
}

/**
 * Judges targets against flat metrics as `flatMetrics` names them (so saved
 * runs can be re-judged). A per-class name without a class means every class:
 * it is judged on the class with the smallest margin, and a NaN in any class
 * fails it. A missing or NaN metric fails. Throws TargetError on a malformed
 * target or unknown name.
 */
export function judgeTargets(
  targets: Readonly<Record<string, string | number>>,
  metrics: Readonly<Record<string, number>>,
  classes: readonly string[],
  prefix = 'test_',
  /** pass only when the whole logged interval clears the threshold (`evaluate.confidence`) */
  withConfidence = false,
): Verdict {
  const results = Object.entries(targets).map(([name, expression]): TargetResult => {
    const target = parseTarget(expression);
    const what = parseTargetName(name, classes);
    const everyClass = what.kind === 'every_class';
    const judge = (key: string, className: string | null): TargetResult => {
      const value = metrics[prefix + key] ?? NaN;
      const [low, high] = [metrics[`${prefix}${key}_ci_low`], metrics[`${prefix}${key}_ci_high`]];
      const interval = low !== undefined && high !== undefined ? { interval: { low, high } } : {};
      const pointPass = compare(value, target);
      if (!withConfidence) return { name, metric: prefix + key, className, everyClass, ...target, value, pass: pointPass, margin: marginOf(value, target), ...interval };
      // The bound on the failing side must pass too; with no interval logged, it cannot pass with confidence.
      const bound = target.op === '>=' || target.op === '>' ? low : high;
      const pass = pointPass && bound !== undefined && compare(bound, target);
      return { name, metric: prefix + key, className, everyClass, ...target, value, pass, margin: marginOf(value, target), ...interval, withinNoise: pointPass && !pass };
    };
    switch (what.kind) {
      case 'scalar': return judge(what.metric, null);
      case 'class': return judge(`${what.metric}_${classKey(what.className)}`, what.className);
      case 'every_class': {
        const perClass = classes.map((c) => judge(`${what.metric}_${classKey(c)}`, c));
        // NaN margins sort first: an unmeasured class is the worst.
        return perClass.reduce((worst, r) => (Number.isNaN(r.margin) || r.margin < worst.margin ? r : worst));
      }
    }
  });
  return { pass: results.every((r) => r.pass), results };
}
