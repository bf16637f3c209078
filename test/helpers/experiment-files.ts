import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatIssue } from '../../src/core/print-issues.js';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { displayPath } from '../../src/config/locate.js';

/** A valid experiment (no data folder on disk, so data checks are skipped); tests edit it. */
export const VALID = `experiment: e
name: n
data:
  dir: data
  image: {size: 32, channels: 1}
model:
  architecture: cnn2
train:
  epochs: 1
`;

/** A temp folder of experiment files, removed by `cleanup`. */
export class ExperimentDir {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'exp-'));

  /** Writes `text` at `rel` (creating folders) and returns its absolute path. */
  write(rel: string, text: string): string {
    const file = path.join(this.root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  /** Creates empty folders, e.g. `data/train/NORMAL`. */
  dirs(...rels: string[]): void {
    for (const rel of rels) mkdirSync(path.join(this.root, rel), { recursive: true });
  }

  /** A split data folder with an empty folder per class under train/ and test/ (and val/ when asked). */
  dataDir(rel: string, classes: string[], splits: string[] = ['train', 'test']): string {
    this.dirs(...splits.flatMap((s) => classes.map((c) => path.join(rel, s, c))));
    return path.join(this.root, rel);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Runs `fn`, which must throw a ConfigError, and returns its issues. */
export function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** The first line of each issue as the CLI prints it: `file:line:col: message` or `--set k=v: message`. */
export function headlines(issues: ConfigIssue[]): string[] {
  return issues.map((i) => formatIssue(i).split('\n')[0]!);
}

/** How a file's name shows in messages (relative to the working directory when inside it). */
export const shown = (file: string): string => displayPath(file);
