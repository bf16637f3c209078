import { UserError } from '../core/errors.js';

/**
 * The one error type the tracking layer throws. `code` is MLflow's error_code where the
 * server sent one (RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE, ...), NETWORK_ERROR when
 * no answer came, or HTTP_<status> for answers without an MLflow error body.
 */
export class TrackingError extends UserError {
  override readonly name = 'TrackingError';

  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }

  /** The server could not be reached or was failing; the same call may succeed later. */
  get transient(): boolean {
    return (
      this.code === 'NETWORK_ERROR' ||
      this.httpStatus === 429 ||
      (this.httpStatus !== undefined && this.httpStatus >= 500)
    );
  }
}

export function invalidParameter(message: string): TrackingError {
  return new TrackingError('INVALID_PARAMETER_VALUE', message, 400);
}

export function notFound(message: string): TrackingError {
  return new TrackingError('RESOURCE_DOES_NOT_EXIST', message, 404);
}
