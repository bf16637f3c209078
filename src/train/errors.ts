import { UserError } from '../core/errors.js';

/** Training produced a loss that is not a number: the run stops there, as a user-facing failure. */
export class DivergedError extends UserError {}
