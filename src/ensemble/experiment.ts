import type { EnsembleFile } from '../config/ensemble.js';
import { displayPath } from '../config/locate.js';
import { formatReport } from '../metrics/index.js';
import { createHash } from 'node:crypto';
import { IDENTITY_TAG, lastRunWith } from '../runner/identity.js';
import { canonicalJson } from '../runner/flatten.js';
import { EXP_VERSION } from '../runner/provenance.js';
import type { TrackingStore } from '../tracking/index.js';
import { chooseTop } from './choose.js';
import { createEnsemble, type EnsembleResult } from './ensemble.js';

/**
 * An experiment file's `ensemble:` run: its members (named, or the best `top` by a validation
 * metric), averaged by createEnsemble as `exp ensemble` does, logged in the file's experiment
 * under its name. `resolve` turns a run reference (id, start of id, name) into an id. As `exp run`
 * does for trainings, a finished ensemble of the same members is not made again unless `rerun`:
 * then only its run id comes back.
 */
export async function runEnsembleFile(store: TrackingStore, e: EnsembleFile, say: (line: string) => void, resolve: (ref: string) => Promise<string>, rerun = false): Promise<{ runId: string; result?: EnsembleResult }> {
  say(`== ${e.experiment} / ${e.name} (${displayPath(e.file)}): an ensemble`);
  const spec = e.ensemble;
  let runIds: string[];
  const params: Record<string, string> = {};
  if ('runs' in spec) {
    runIds = [];
    for (const ref of spec.runs) runIds.push(await resolve(ref));
  } else {
    const from = spec.experiment ?? e.experiment;
    const chosen = await chooseTop(store, from, spec.top, spec.rank_by);
    say(`the best ${spec.top} of ${from} by ${spec.rank_by} (on validation):\n${chosen.lines.join('\n')}`);
    runIds = chosen.runIds;
    Object.assign(params, { 'ensemble.top': String(spec.top), 'ensemble.experiment': from, 'ensemble.rank_by': spec.rank_by });
  }
  const identity = createHash('sha256').update(canonicalJson({ experiment: e.experiment, name: e.name, members: runIds, rule: 'mean', version: EXP_VERSION })).digest('hex').slice(0, 16);
  const last = rerun ? undefined : await lastRunWith(store, e.experiment, identity);
  if (last?.status === 'FINISHED') {
    say(`skipped: identical to finished ensemble run ${last.runId} (the same members; --rerun to make it again)`);
    return { runId: last.runId };
  }
  const result = await createEnsemble(store, runIds, e.name, { experiment: e.experiment, params, tags: { 'exp.file': e.file, [IDENTITY_TAG]: identity, ...(e.description ? { 'mlflow.note.content': e.description } : {}) } });
  say(`run ${result.runId} in ${store.uri}: the mean of ${result.members.map((m) => m.runName).join(', ')}`);
  if (result.threshold !== null) say(`threshold ${result.threshold.toFixed(4)}, chosen on validation`);
  say(`\ntest set (${result.test.files.length} images):\n${formatReport(result.evaluation, result.verdict)}`);
  return { runId: result.runId, result };
}
