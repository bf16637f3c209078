import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompareError } from '../compare/errors.js';
import { ConfigError } from '../config/issues.js';
import { DataError } from '../data/errors.js';
import { ExplainError } from '../explain/errors.js';
import { printable } from '../text/escape.js';
import { TrackingError } from '../tracking/errors.js';
import { DivergedError } from '../train/errors.js';
import { PretrainedError } from '../pretrained/read.js';
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
  ENOENT: 'no such file or folder',
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
  // Messages carry user data (names, paths, ids): shown, never obeyed, by the terminal; secrets masked.
  const say = (text: string) => process.stderr.write(`${printable(maskSecrets(text), { keepNewlines: true })}\n`);
  if (error instanceof UserError || error instanceof DataError || error instanceof TrackingError || error instanceof DivergedError || error instanceof CompareError || error instanceof ExplainError || error instanceof PretrainedError) {
    say(`exp: ${error.message}`);
    return 1;
  }
  const problem = fileSystemProblem(error);
  if (problem) {
    say(`exp: ${problem}`);
    return 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const log = writeCrashLog(`${new Date().toISOString()} exp ${process.argv.slice(2).join(' ')}\n${detail}\n`);
  say(`exp: internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in exp; ${log ? `the details are in ${log}` : `the details:\n${detail}`}`);
  return 1;
}

/**
 * The crash log, in a fresh private folder (mkdtemp: mode 0700, a name nobody can guess in
 * advance) and created exclusively: a link planted in the shared temp folder cannot make exp
 * overwrite another file. Undefined when it cannot be written.
 */
function writeCrashLog(text: string): string | undefined {
  try {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'exp-crash-')), 'crash.log');
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
    return file;
  } catch {
    return undefined;
  }
}
