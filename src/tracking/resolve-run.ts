import type { Run, TrackingStore } from './index.js';
import { UserError } from '../core/errors.js';

const describe = (r: Run): string => `  ${r.info.runId}  ${r.info.runName}  ${r.info.status}  ${new Date(r.info.startTime).toISOString()}`;

/**
 * The run id a user means by `ref`, as `exp predict --run`, `exp report` and `exp resume` take
 * it: a whole run id, an unambiguous prefix of one, or a run name. Several matches, or none,
 * are a UserError that lists what there is to choose from.
 */
export async function resolveRunId(store: TrackingStore, ref: string): Promise<string> {
  const wanted = ref.trim();
  if (!wanted) throw new UserError('name a run: its id, the start of its id, or its name (see `exp rank`)');
  const experiments = await store.listExperiments();
  const runs = experiments.length ? await store.searchRuns(experiments.map((e) => e.experimentId)) : [];
  const exact = runs.find((r) => r.info.runId === wanted);
  if (exact) return exact.info.runId;
  const byPrefix = runs.filter((r) => r.info.runId.startsWith(wanted));
  const byName = runs.filter((r) => r.info.runName === wanted);
  const matches = [...new Map([...byPrefix, ...byName].map((r) => [r.info.runId, r])).values()];
  if (matches.length === 1) return matches[0]!.info.runId;
  if (matches.length === 0) throw new UserError(`no run with id, id prefix or name '${wanted}' in ${store.uri} (see \`exp rank\` for runs, or pass --tracking-uri)`);
  const shown = matches.slice(0, 10).map(describe).join('\n');
  const more = matches.length > 10 ? `\n  ... and ${matches.length - 10} more` : '';
  throw new UserError(`'${wanted}' matches ${matches.length} runs in ${store.uri}; give more of the id:\n${shown}${more}`);
}
