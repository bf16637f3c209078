/** What every new run gets, the same in each store. */
import { userInfo } from 'node:os';
import { invalidParameter } from './errors.js';
import type { RunStatus } from './store.js';
import { MAX_TAG_VALUE_LENGTH, validateKey, validateTimestamp } from './validation.js';

export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return ''; // no passwd entry (some containers)
  }
}

/**
 * The tags a run is created with: the caller's plus mlflow.runName and mlflow.user. The server
 * refuses a run_name together with a different mlflow.runName tag; refuse it the same way everywhere.
 */
export function initialRunTags(runName: string, tags: Record<string, string> = {}): Record<string, string> {
  const tagged = tags[RUN_NAME_TAG];
  if (tagged !== undefined && tagged !== runName) {
    throw invalidParameter(`Run name '${runName}' differs from its ${RUN_NAME_TAG} tag '${tagged}'`);
  }
  for (const key of Object.keys(tags)) validateKey('tag', key);
  const all = { [USER_TAG]: currentUser(), ...tags, [RUN_NAME_TAG]: runName };
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.slice(0, MAX_TAG_VALUE_LENGTH)]));
}

export function startTimeFor(startTime: number | undefined): number {
  if (startTime === undefined) return Date.now();
  validateTimestamp('Run start time', startTime);
  return startTime;
}

/** A run ending without an explicit end time ends now; one that is not ending keeps what it had. */
export function endTimeFor(status: RunStatus, endTime: number | undefined): number | undefined {
  if (endTime !== undefined) {
    validateTimestamp('Run end time', endTime);
    return endTime;
  }
  return status === 'RUNNING' || status === 'SCHEDULED' ? undefined : Date.now();
}
