/** Tiny, fast experiments on the repo's real sample images, written into a temp folder. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadAndValidate, type ValidatedExperiment } from '../../src/config/validate.js';
import { Progress } from '../../src/core/progress.js';
import { overridesFrom } from '../../src/config/overrides.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SAMPLE = path.join(REPO, 'data', 'sample');
export const BIN = path.join(REPO, 'bin', 'exp.js');

/** Two classes in data/sample, in folder order. */
export const CLASSES = ['NORMAL', 'PNEUMONIA'];

export interface TinyOptions {
  experiment?: string;
  name?: string;
  dataDir?: string;
  size?: number;
  epochs?: number;
  /** Extra top-level YAML appended verbatim (e.g. targets). */
  extra?: string;
  /** Replaces the default `data.validation` line. */
  validation?: string;
  onBadImage?: 'fail' | 'skip';
}

/** The YAML of a tiny run: 16x16 grayscale, a 4-filter conv, 1 epoch, no image cache. */
export function tinyYaml(o: TinyOptions = {}): string {
  return `experiment: ${o.experiment ?? 'rec'}
name: ${o.name ?? 'tiny'}
description: a tiny run for tests
data:
  dir: ${JSON.stringify(o.dataDir ?? SAMPLE)}
  image: {size: ${o.size ?? 16}, channels: 1}
  validation: ${o.validation ?? '{from: val}'}
  cache: false
${o.onBadImage ? `  on_bad_image: ${o.onBadImage}\n` : ''}model:
  layers:
    - conv2d: {filters: 4, kernel: 3, activation: relu}
    - maxpool: {size: 2}
    - flatten
class_weight: balanced
train:
  epochs: ${o.epochs ?? 1}
  batch_size: 32
  seed: 7
  optimizer: {name: adam, lr: 0.001}
evaluate:
  threshold: {choose_on: validation, maximize: accuracy, min_class_recall: 0}
${o.extra ?? ''}`;
}

/** A temp folder, removed by `cleanup`. */
export class TempDir {
  readonly root: string;
  constructor(prefix = 'exp-rec-') {
    this.root = mkdtempSync(path.join(os.tmpdir(), prefix));
  }
  path(...rel: string[]): string {
    return path.join(this.root, ...rel);
  }
  write(rel: string, text: string | Uint8Array): string {
    const file = this.path(rel);
    writeFileSync(file, text);
    return file;
  }
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Writes a tiny experiment into `dir` and validates it (with optional `--set` overrides). */
export function tinyExperiment(dir: TempDir, o: TinyOptions = {}, overrides: string[] = [], file = 'exp.yaml'): ValidatedExperiment {
  return loadAndValidate(dir.write(file, tinyYaml(o)), overridesFrom(overrides));
}

/** Progress that prints nothing. */
export const quiet = (): Progress => new Progress(process.stdout, true);

/** Collects what a Progress prints. */
export function captured(): { progress: Progress; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { progress: new Progress(out as unknown as NodeJS.WriteStream), text: () => text };
}
