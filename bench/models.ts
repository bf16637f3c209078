// The models the benchmarks train: a shipped architecture or a YAML zoo model with its params
// ("resnet18:width=32"), resolved exactly as `exp run` resolves it, for two classes on grey
// size x size images (bench/pytorch_cnn.py mirrors them layer for layer).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseOverrides } from '../src/config/overrides.js';
import { loadAndValidate } from '../src/config/validate.js';
import { resolveModel } from '../src/model/resolve.js';
import type { ModelSpec } from '../src/model/spec.js';

export function benchSpec(model: string, size: number): ModelSpec {
  const [name, ...params] = model.split(':');
  const dir = mkdtempSync(path.join(tmpdir(), 'exp-bench-'));
  try {
    const file = path.join(dir, 'bench.yaml');
    writeFileSync(file, `experiment: bench\nname: ${name}\ndata: {dir: data, image: {size: ${size}, channels: 1}}\nmodel: {architecture: ${name}}\ntrain: {epochs: 1}\n`);
    return resolveModel(loadAndValidate(file, parseOverrides(params.map((p) => `model.params.${p}`)).overrides), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
