import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config/issues.js';
import { DataError } from '../data/errors.js';
import { TrackingError } from '../tracking/errors.js';
import { DivergedError } from '../train/errors.js';
import { maskSecrets } from '../config/secrets.js';
import { printIssues } from './print-issues.js';

/** A failure the user can act on: printed as one line, exit code 1, no stack trace. */
export class UserError extends Error {}

/** What the OS said about a path, in words: a full disk or an unwritable folder is not a bug in exp. */
const FILE_SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EMFILE: 'too many open files',
};

function fileSystemProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  const why = e instanceof Error && e.code ? FILE_SYSTEM_ERRORS[e.code] : undefined;
  const verb = { scandir: 'read', mkdir: 'create', open: 'open', write: 'write to', rename: 'write', link: 'write' }[e.syscall ?? ''] ?? 'use';
  return why ? `cannot ${e.path ? `${verb} ${e.path}` : verb.replace(/ to$/, '')}: ${why}` : undefined;
}

/**
 * Reports any error from a command: user errors plainly; anything else is a bug in exp,
 * said as such, with the stack written to a log file rather than the terminal.
 */
export function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    printIssues(error.issues);
    process.stderr.write(`${error.issues.length.toLocaleString('en-US')} problem${error.issues.length === 1 ? '' : 's'} found\n`);
    return 1;
  }
  if (error instanceof UserError || error instanceof DataError || error instanceof TrackingError || error instanceof DivergedError) {
    process.stderr.write(`exp: ${maskSecrets(error.message)}\n`);
    return 1;
  }
  const problem = fileSystemProblem(error);
  if (problem) {
    process.stderr.write(`exp: ${problem}\n`);
    return 1;
  }
  const log = path.join(os.tmpdir(), `exp-crash-${Date.now()}.log`);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeFileSync(log, `${new Date().toISOString()} exp ${process.argv.slice(2).join(' ')}\n${detail}\n`);
  process.stderr.write(`exp: internal error: ${maskSecrets(error instanceof Error ? error.message : String(error))}\nThis is a bug in exp; the details are in ${log}\n`);
  return 1;
}
