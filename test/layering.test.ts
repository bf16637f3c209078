// Dependencies point one way: read off the import statements of src/ (static, re-exports and
// dynamic import()), with TypeScript's own pre-processor.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.split(path.sep).join('/'));

/** The src/ files a file imports (relative to src/, .ts), in any form: import, export from, import(), import type. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(SRC, file), 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const GRAPH = new Map(sources.map((f) => [f, importsOf(f)]));

/** Every file reachable from `file` through imports, with the chain that reaches it. */
function reachable(file: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[file, [file]]]);
  const queue = [file];
  while (queue.length) {
    const at = queue.shift()!;
    for (const next of GRAPH.get(at) ?? []) {
      if (chains.has(next)) continue;
      chains.set(next, [...chains.get(at)!, next]);
      queue.push(next);
    }
  }
  return chains;
}

describe('the import direction', () => {
  it('the parser sees imports of every form', () => {
    // engine/select.ts imports the tfjs engine only with import() and its backend type with `import type`.
    expect(importsOf('engine/select.ts')).toEqual(expect.arrayContaining(['engine/tfjs/engine.ts', 'engine/tfjs/backend.ts', 'engine/onnx-engine.ts']));
    expect(importsOf('cli/main.ts').some((f) => f.startsWith('cli/'))).toBe(true);
  });

  it('nothing outside src/cli imports src/cli', () => {
    const offending = [...GRAPH].flatMap(([file, imports]) => (file.startsWith('cli/') ? [] : imports.filter((i) => i.startsWith('cli/')).map((i) => `${file} -> ${i}`)));
    expect(offending).toEqual([]);
  });

  it('the ONNX graph primitives (graph, lowering, padding, activations) reach nothing of the registry, even indirectly', () => {
    const primitives = ['graph', 'lowering', 'padding', 'activations'].map((name) => `engine/onnx/${name}.ts`);
    for (const p of primitives) expect(GRAPH.has(p), p).toBe(true);
    const offending = primitives.flatMap((p) => [...reachable(p)].filter(([f]) => f.startsWith('registry/')).map(([, chain]) => chain.join(' -> ')));
    expect(offending).toEqual([]);
  });
});
