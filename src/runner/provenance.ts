import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const git = (cwd: string, ...args: string[]): string | undefined => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

export const EXP_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The installed tfjs's version, read from its package.json: a run on the onnx engine never loads tfjs. */
const TFJS_VERSION = (createRequire(import.meta.url)('@tensorflow/tfjs/package.json') as { version: string }).version;

/**
 * The experiment file as `mlflow.source.name`: relative to the git repository holding it (the
 * one whose commit is tagged), so the name means the same from any working folder; absolute
 * outside a repository.
 */
function sourceName(experimentFile: string, dir: string): string {
  const file = path.resolve(experimentFile);
  const top = git(dir, 'rev-parse', '--show-toplevel');
  if (top === undefined) return file;
  // git answers with the real path; the file may have been named through a symlink.
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // Not there (any more): the name as given.
  }
  const rel = path.relative(top, real);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/** Where a run came from, as MLflow's own clients tag it, plus exp's versions. */
export function provenanceTags(experimentFile: string): Record<string, string> {
  const dir = path.dirname(path.resolve(experimentFile));
  const commit = git(dir, 'rev-parse', 'HEAD');
  const dirty = commit !== undefined ? (git(dir, 'status', '--porcelain') ?? '') !== '' : undefined;
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): MLflow allows an empty user.
  }
  return {
    'mlflow.source.name': sourceName(experimentFile, dir),
    'mlflow.source.type': 'LOCAL',
    'mlflow.user': user,
    ...(commit ? { 'mlflow.source.git.commit': commit, 'exp.git.dirty': String(dirty) } : {}),
    'exp.version': EXP_VERSION,
    'exp.node': process.version,
    'exp.tfjs': TFJS_VERSION,
  };
}
