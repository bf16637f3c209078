import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const git = (cwd: string, ...args: string[]): string | undefined => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

export const EXP_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Where a run came from, as MLflow's own clients tag it, plus exp's versions. */
export function provenanceTags(experimentFile: string): Record<string, string> {
  const dir = path.dirname(experimentFile);
  const commit = git(dir, 'rev-parse', 'HEAD');
  const dirty = commit !== undefined ? (git(dir, 'status', '--porcelain') ?? '') !== '' : undefined;
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): MLflow allows an empty user.
  }
  return {
    'mlflow.source.name': path.relative(git(dir, 'rev-parse', '--show-toplevel') ?? process.cwd(), experimentFile) || experimentFile,
    'mlflow.source.type': 'LOCAL',
    'mlflow.user': user,
    ...(commit ? { 'mlflow.source.git.commit': commit, 'exp.git.dirty': String(dirty) } : {}),
    'exp.version': EXP_VERSION,
    'exp.node': process.version,
    'exp.tfjs': tf.version.tfjs,
  };
}
