import type { Static, TSchema } from '@sinclair/typebox';
import type { Entry } from './registry.js';

/** A registered component: its params schema and a factory taking validated params. */
export interface Component<Ctx, R> extends Entry {
  create(params: unknown, ctx: Ctx): R;
}

/**
 * Declares a component with its schema beside its factory. The factory is typed by the
 * schema; `create` is only ever called with params the schema has validated (with its
 * defaults filled in), which is what makes the one cast below sound.
 */
export function component<S extends TSchema, Ctx, R>(def: {
  name: string;
  summary: string;
  params: S;
  create: (params: Static<S>, ctx: Ctx) => R;
}): Component<Ctx, R> {
  return { name: def.name, summary: def.summary, params: def.params, create: (p, ctx) => def.create(p as Static<S>, ctx) };
}
