import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { mulberry32 } from '../data/rng.js';
import type { IssueCollector } from './collector.js';
import type { LoadedExperiment } from './load.js';
import { ConfigError } from './issues.js';
import type { Override } from './locate.js';
import { isReservedKey } from './merge.js';
import { checkEntry } from './component-lists.js';
import { schedulers } from '../registry/schedulers/index.js';
import { applyOverrides, RESERVED_HINT } from './overrides.js';

const KEY = '^[A-Za-z_][\\w-]*(\\.[\\w-]+)*$';

/** A range to sample from: uniform, or log-uniform for rates; `int` rounds. */
const Range = Type.Object(
  {
    min: Type.Number(),
    max: Type.Number(),
    log: Type.Optional(Type.Boolean({ description: 'sample log-uniformly (learning rates)' })),
    int: Type.Optional(Type.Boolean({ description: 'round to an integer' })),
  },
  { additionalProperties: false },
);

/** The sweep block; `scheduler` is the slot of a registered scheduler (loose here, filled in for editors). */
export const sweepSchema = <S extends TSchema>(scheduler: S) => Type.Object(
  {
    grid: Type.Optional(
      Type.Record(Type.String({ pattern: KEY }), Type.Array(Type.Unknown(), { minItems: 1 }), {
        description: 'dotted key -> values: every combination is a run',
      }),
    ),
    random: Type.Optional(
      Type.Object(
        {
          n: Type.Integer({ minimum: 1, maximum: 10000, description: 'how many samples' }),
          seed: Type.Integer({ minimum: 0, default: 0 }),
          params: Type.Record(Type.String({ pattern: KEY }), Type.Union([Type.Array(Type.Unknown(), { minItems: 1 }), Range]), {
            description: 'dotted key -> a list to pick from, or {min, max, log?, int?}',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    scheduler: Type.Optional(scheduler),
  },
  { additionalProperties: false, description: 'expands this experiment into several runs' },
);
/** `asha` or `{asha: {params}}`: one registered scheduler. */
const SchedulerEntry = Type.Union([Type.String({ minLength: 1 }), Type.Record(Type.String(), Type.Unknown(), { minProperties: 1, maxProperties: 1 })], {
  description: 'stops weak trials early: asha or median, with their params',
});
export const SweepSchema = sweepSchema(SchedulerEntry);
export type Sweep = Static<typeof SweepSchema>;

type Point = [key: string, value: unknown][];

function gridPoints(grid: Record<string, unknown[]>): Point[] {
  return Object.entries(grid).reduce<Point[]>((points, [key, values]) => points.flatMap((p) => values.map((v): Point => [...p, [key, v]])), [[]]);
}

function sample(spec: unknown[] | Static<typeof Range>, random: () => number): unknown {
  if (Array.isArray(spec)) return spec[Math.floor(random() * spec.length)];
  const u = random();
  const v = spec.log ? Math.exp(Math.log(spec.min) + u * (Math.log(spec.max) - Math.log(spec.min))) : spec.min + u * (spec.max - spec.min);
  return spec.int ? Math.round(v) : Number(v.toPrecision(4));
}

/** Checks what a schema cannot: ranges that are ordered and positive where log-scaled. */
export function checkSweep(sweep: Sweep, issues: IssueCollector): void {
  if (sweep.scheduler !== undefined) sweep.scheduler = checkEntry(sweep.scheduler, schedulers, ['sweep', 'scheduler'], issues) ?? sweep.scheduler;
  if (!sweep.grid && !sweep.random) issues.add(['sweep'], 'sweep needs a grid, a random block, or both');
  const keyed: [string[], string][] = [...Object.keys(sweep.grid ?? {}).map((k): [string[], string] => [['sweep', 'grid'], k]), ...Object.keys(sweep.random?.params ?? {}).map((k): [string[], string] => [['sweep', 'random', 'params'], k])];
  for (const [at, key] of keyed) {
    const reserved = key.split('.').find(isReservedKey);
    if (reserved) issues.add([...at, key], `sweep key '${key}': '${reserved}' is not a config key`, [RESERVED_HINT], 'key');
  }
  for (const [key, spec] of Object.entries(sweep.random?.params ?? {})) {
    if (Array.isArray(spec)) continue;
    if (spec.min > spec.max) issues.add(['sweep', 'random', 'params', key], `sweep range ${key}: min ${spec.min} is above max ${spec.max}`);
    if (spec.log && spec.min <= 0) issues.add(['sweep', 'random', 'params', key], `sweep range ${key}: a log range needs min > 0 (got ${spec.min})`);
  }
}

const short = (key: string) => key.split('.').at(-1)!;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The runs a sweep stands for: each grid combination, times `random.n` seeded samples.
 * Each run is the experiment with the point's values as overrides (so a bad value is
 * reported as `sweep key=value`), named for its values.
 */
export function expandSweep(loaded: LoadedExperiment, sweep: Sweep): { loaded: LoadedExperiment; values: Record<string, unknown> }[] {
  const random = mulberry32(sweep.random?.seed ?? 0);
  const grid = gridPoints(sweep.grid ?? {});
  const points = sweep.random
    ? grid.flatMap((g) => Array.from({ length: sweep.random!.n }, (): Point => [...g, ...Object.entries(sweep.random!.params).map(([k, spec]): [string, unknown] => [k, sample(spec, random)])]))
    : grid;
  const base = { ...loaded.value };
  delete base.sweep;
  return points.map((point) => {
    const overrides: Override[] = point.map(([key, value]) => ({ path: key.split('.'), value, text: `${key}=${show(value)}`, origin: 'sweep' }));
    const value = structuredClone(base);
    // The point's values, then --set again, so a --set still wins over the sweep.
    const issues = [...applyOverrides(value, overrides), ...applyOverrides(value, loaded.overrides)];
    if (issues.length > 0) throw new ConfigError(issues);
    value.name = `${String(base.name)} ${point.map(([k, v]) => `${short(k)}=${show(v)}`).join(' ')}`;
    return { loaded: { ...loaded, value, overrides: [...overrides, ...loaded.overrides] }, values: Object.fromEntries(point) };
  });
}
