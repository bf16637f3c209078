/**
 * A failure the user can act on: printed as one line, exit code 1, no stack trace. Each layer's
 * own user-facing errors (DataError, TrackingError, ...) extend it.
 */
export class UserError extends Error {}
