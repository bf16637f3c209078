import { UserError } from '../core/errors.js';

/** A problem with the user's data (missing folder, unreadable image...): the message names the path. */
export class DataError extends UserError {
  override name = 'DataError';
}
