import { createHash } from 'node:crypto';
import type { ValidatedExperiment } from '../config/validate.js';
import { dataFingerprint } from '../data/index.js';
import type { RunStatus, TrackingStore } from '../tracking/index.js';
import { datasetOptions } from './dataset-options.js';
import { canonicalJson } from './flatten.js';
import { EXP_VERSION } from './provenance.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export const configHash = (exp: ValidatedExperiment): string => sha(canonicalJson(exp.config));

/**
 * A run's identity: its resolved config, its data (file list with content hashes) and the exp
 * version. Two runs with one identity would train the same model.
 */
export async function runIdentity(exp: ValidatedExperiment): Promise<string> {
  return sha(`${configHash(exp)}\n${await dataFingerprint(datasetOptions(exp))}\n${EXP_VERSION}`);
}

export const IDENTITY_TAG = 'exp.identity';
export const SWEEP_IDENTITY_TAG = 'exp.sweep.identity';
export const KFOLD_IDENTITY_TAG = 'exp.kfold.identity';

function deletePath(value: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) delete value[head];
  else if (typeof value[head] === 'object' && value[head] !== null) deletePath(value[head] as Record<string, unknown>, rest);
}

/**
 * A sweep's identity: what its runs share (the config less the swept keys and the run name
 * that spells their values, the data, the exp version). Running the sweep again, or a grid
 * grown by a value, finds the same parent run, so all its runs stay under one parent.
 */
export async function sweepIdentity(run: ValidatedExperiment, sweptKeys: string[]): Promise<string> {
  const shared = structuredClone(run.config) as Record<string, unknown>;
  delete shared['name'];
  for (const key of sweptKeys) deletePath(shared, key.split('.'));
  return sha(`${canonicalJson(shared)}\n${await dataFingerprint(datasetOptions(run))}\n${EXP_VERSION}`);
}

/** The run with this identity that counts: a FINISHED one, else the latest, if any. */
export async function lastRunWith(store: TrackingStore, experiment: string, identity: string): Promise<{ runId: string; status: RunStatus } | undefined> {
  const found = await store.getExperimentByName(experiment);
  if (!found) return undefined;
  // Only meta and the identity tag are needed: a file store reads nothing else of the other runs.
  const runs = await store.searchRuns([found.experimentId], { filter: `tags.\`${IDENTITY_TAG}\` = '${identity}'`, fields: { params: [], tags: [] } });
  const run = runs.find((r) => r.info.status === 'FINISHED') ?? runs.sort((a, b) => b.info.startTime - a.info.startTime)[0];
  return run && { runId: run.info.runId, status: run.info.status };
}
