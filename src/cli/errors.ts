import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config/issues.js';
import { DataError } from '../data/errors.js';
import { TrackingError } from '../tracking/errors.js';
import { printIssues } from './print-issues.js';

/** A failure the user can act on: printed as one line, exit code 1, no stack trace. */
export class UserError extends Error {}

/**
 * Reports any error from a command: user errors plainly; anything else is a bug in exp,
 * said as such, with the stack written to a log file rather than the terminal.
 */
export function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    printIssues(error.issues);
    process.stderr.write(`${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} found\n`);
    return 1;
  }
  if (error instanceof UserError || error instanceof DataError || error instanceof TrackingError) {
    process.stderr.write(`exp: ${error.message}\n`);
    return 1;
  }
  const log = path.join(os.tmpdir(), `exp-crash-${Date.now()}.log`);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeFileSync(log, `${new Date().toISOString()} exp ${process.argv.slice(2).join(' ')}\n${detail}\n`);
  process.stderr.write(`exp: internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in exp; the details are in ${log}\n`);
  return 1;
}
