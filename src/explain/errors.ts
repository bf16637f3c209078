import { UserError } from '../core/errors.js';

/** A model or a request that cannot be explained (no spatial layer, an unknown `--layer`): shown as one line. */
export class ExplainError extends UserError {
  override name = 'ExplainError';
}
