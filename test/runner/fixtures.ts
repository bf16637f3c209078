import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Progress } from '../../src/core/progress.js';
import { loadAndValidate, type ValidatedExperiment } from '../../src/config/validate.js';
import { runExperiment, type RunOutcome } from '../../src/runner/run-experiment.js';

/** The real sample kept in the repo: 224x224 JPEGs of NORMAL / PNEUMONIA. */
export const SAMPLE_DIR = new URL('../../data/sample/', import.meta.url).pathname;

/** The sorted file names of one class folder of the sample. */
export const sampleFiles = (split: string, cls: string): string[] => readdirSync(join(SAMPLE_DIR, split, cls)).sort();

export interface Temp {
  root: string;
  cleanup(): void;
}

export function temp(prefix = 'exp-train-test-'): Temp {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** One file to copy: from the sample's `split/cls`, its `index`-th file, into `to/split/toClass`. */
export interface Pick {
  split: string;
  cls: string;
  index: number;
}

/**
 * Builds `<root>/<split>/<CLASS>/` by copying sample images: `layout[split][CLASS]` lists
 * which sample files (split, class, index) go there.
 */
export function copySlice(root: string, layout: Record<string, Record<string, Pick[]>>): void {
  for (const [split, classes] of Object.entries(layout)) {
    for (const [cls, picks] of Object.entries(classes)) {
      const dir = join(root, split, cls);
      mkdirSync(dir, { recursive: true });
      for (const p of picks) {
        const name = sampleFiles(p.split, p.cls)[p.index]!;
        copyFileSync(join(SAMPLE_DIR, p.split, p.cls, name), join(dir, `${p.split}-${p.cls}-${name}`));
      }
    }
  }
}

/** `n` picks of a sample class starting at `from`. */
export const picks = (split: string, cls: string, n: number, from = 0): Pick[] => Array.from({ length: n }, (_, i) => ({ split, cls, index: from + i }));

/** A tiny conv net: conv(4, 3x3, stride 2) + flatten; exp adds the head. */
export const TINY_LAYERS = [{ conv2d: { filters: 4, kernel: 3, strides: 2, activation: 'relu' } }, 'flatten'];

/** Writes an experiment as YAML in `dir` and validates it as the CLI does. */
export function experiment(dir: string, config: Record<string, unknown>, name = 'exp.yaml'): ValidatedExperiment {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return loadAndValidate(file);
}

/** A small experiment on `dataDir` (absolute), 16x16 grayscale, no cache; `patch` overrides top-level sections. */
export function tinyConfig(dataDir: string, patch: { data?: Record<string, unknown>; train?: Record<string, unknown>; [k: string]: unknown } = {}): Record<string, unknown> {
  const { data, train, ...rest } = patch;
  return {
    experiment: 'tests',
    name: 'tiny',
    data: { dir: dataDir, image: { size: 16, channels: 1 }, validation: { from: 'val' }, cache: false, ...data },
    model: { layers: TINY_LAYERS },
    train: { epochs: 2, batch_size: 16, seed: 7, optimizer: { name: 'adam', lr: 0.01 }, ...train },
    ...rest,
  };
}

export const run = (exp: ValidatedExperiment): Promise<RunOutcome> => runExperiment(exp, new Progress(process.stdout, true));

/** The two-class slice most runner tests train on: train 20/20, val 4/4 and (by default) test 10/10. */
export const twoClassSlice = (test: Record<string, Pick[]> = { NORMAL: picks('test', 'NORMAL', 10), PNEUMONIA: picks('test', 'PNEUMONIA', 10) }) => ({
  train: { NORMAL: picks('train', 'NORMAL', 20), PNEUMONIA: picks('train', 'PNEUMONIA', 20) },
  val: { NORMAL: picks('val', 'NORMAL', 4), PNEUMONIA: picks('val', 'PNEUMONIA', 4) },
  test,
});

/** Runs tinyConfig(dataDir, patch), writing each experiment file in a fresh folder under `root`. */
export function runnerIn(root: string): (dataDir: string, patch?: Parameters<typeof tinyConfig>[1]) => Promise<RunOutcome> {
  let n = 0;
  return (dataDir, patch = {}) => {
    const dir = join(root, `exp${n++}`);
    mkdirSync(dir);
    return run(experiment(dir, tinyConfig(dataDir, patch)));
  };
}
