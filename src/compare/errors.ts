import { UserError } from '../core/errors.js';

/** Two runs that cannot be compared (different test sets, no predictions): the message says why. */
export class CompareError extends UserError {
  override name = 'CompareError';
}
