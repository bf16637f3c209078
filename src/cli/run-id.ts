import { isValidRunId } from '../tracking/ids.js';
import { UserError } from '../core/errors.js';

/** A run id from the command line, checked before it reaches a store or a path. */
export function checkRunId(id: string, what = 'run id'): string {
  if (!isValidRunId(id)) throw new UserError(`'${id}' is not a ${what}: MLflow run ids are letters, digits, _ and - (exp's are 32 hex characters; \`exp rank\` lists them)`);
  return id;
}
