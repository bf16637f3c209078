/** Runs the compiled CLI as a child process without blocking this process (an in-process server keeps answering). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(REPO, 'bin', 'exp.js');

export interface ExpResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Builds dist/ when it or its bundle is missing (`npm test` builds it first): bin/exp.js runs the bundle, as users get it. */
export function ensureBuilt(): void {
  if (existsSync(path.join(REPO, 'dist', 'cli', 'main.js')) && existsSync(path.join(REPO, 'dist', 'bundle', 'main.js'))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

/** A running `exp` with its output collected and its end as a promise. */
export function startExp(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): { child: ChildProcess; done: Promise<ExpResult>; output: () => string } {
  const merged: Record<string, string | undefined> = { ...process.env, MLFLOW_TRACKING_URI: undefined, ...opts.env };
  const env = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<ExpResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

export function exp(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<ExpResult> {
  return startExp(args, opts).done;
}

/** Lines of a stack trace (`    at ...`): a user-facing error must have none. */
export const stackLines = (text: string): string[] => text.split('\n').filter((l) => /^\s+at /.test(l));

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
