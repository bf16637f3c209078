import { describeParams } from '../engine/onnx/build.js';
import type { ModelSpec } from '../model/spec.js';
import type { SourceModel, SourceWeight } from './read.js';

/**
 * How a model's weights find theirs in a pretrained file. `names`: a node takes the file's layer
 * of the same name (its id, or `rename`'s file name for it; exp's own ONNX export names layers
 * `<type><index>`). `order`: the model's nodes with weights take the file's layers with weights
 * in turn (the file's topology order), up to the first pair whose shapes differ: how a zoo model
 * whose ids are not Keras's names (mobilenetv2 against Keras's MobileNetV2) gets its weights.
 */
export type MatchMode = 'names' | 'order';

export interface MatchOptions {
  match: MatchMode;
  /** File layer name -> node id, for `names`. */
  rename?: Record<string, string>;
}

/** What was loaded, what was not and why, and what of the file went unused. */
export interface PretrainedReport {
  file: string;
  match: MatchMode;
  loaded: { weight: string; from: string; shape: number[] }[];
  notLoaded: { weight: string; shape: number[]; reason: string }[];
  /** File layers no weight was taken from. */
  unused: string[];
}

interface TargetNode {
  id: string;
  /** exp's ONNX export's name for the node's layer. */
  exportName: string;
  params: { index: number; suffix: string; shape: number[] }[];
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** A node's weights paired with a file layer's: by suffix where the file uses the same ones (kernel, gamma...), else by position. */
function pair(node: TargetNode, weights: SourceWeight[]): (SourceWeight | undefined)[] {
  const bySuffix = new Map(weights.map((w) => [w.suffix, w]));
  const named = node.params.every((p) => bySuffix.has(p.suffix));
  return node.params.map((p, k) => (named ? bySuffix.get(p.suffix) : weights[k]));
}

function targetNodes(spec: ModelSpec): TargetNode[] {
  const nodes = spec.nodes.map((n, i) => ({ id: n.id, exportName: `${n.layer.type}${i}`, params: [] as TargetNode['params'] }));
  // describeParams lists trainable weights first, then the rest (batch norm's moving statistics, declared
  // last): a stable sort by node puts each back with its node in declaration order.
  const params = describeParams(spec).map((p, index) => ({ p, index }));
  for (const decl of params.sort((a, b) => a.p.layer - b.p.layer)) {
    nodes[decl.p.layer]!.params.push({ index: decl.index, suffix: decl.p.suffix, shape: decl.p.shape });
  }
  return nodes.filter((n) => n.params.length > 0);
}

/**
 * `initial` (the model's own initial weights, exp's order) with every weight the file has for it
 * put in its place, and the report of what matched.
 */
export function matchPretrained(spec: ModelSpec, initial: Float32Array[], source: SourceModel, options: MatchOptions): { weights: Float32Array[]; report: PretrainedReport } {
  const weights = initial.map((w) => w.slice());
  const report: PretrainedReport = { file: source.file, match: options.match, loaded: [], notLoaded: [], unused: [] };
  const used = new Set<string>();
  const nodes = targetNodes(spec);
  const take = (node: TargetNode, layer: { name: string; weights: SourceWeight[] }): void => {
    used.add(layer.name);
    pair(node, layer.weights).forEach((w, k) => {
      const p = node.params[k]!;
      const label = `${node.id}/${p.suffix}`;
      if (!w) report.notLoaded.push({ weight: label, shape: p.shape, reason: `${layer.name} has no such weight (it has ${layer.weights.map((x) => x.suffix).join(', ')})` });
      else if (!sameShape(w.shape, p.shape)) report.notLoaded.push({ weight: label, shape: p.shape, reason: `${w.name} is ${shapeText(w.shape)}` });
      else {
        weights[p.index] = w.values.slice();
        report.loaded.push({ weight: label, from: w.name, shape: p.shape });
      }
    });
  };
  const missing = (node: TargetNode, reason: string): void => {
    for (const p of node.params) report.notLoaded.push({ weight: `${node.id}/${p.suffix}`, shape: p.shape, reason });
  };

  if (options.match === 'names') {
    const byName = new Map(source.layers.map((l) => [l.name, l]));
    const renamed = new Map(Object.entries(options.rename ?? {}).map(([from, to]) => [to, from]));
    for (const node of nodes) {
      const layer = byName.get(renamed.get(node.id) ?? node.id) ?? byName.get(node.exportName);
      if (layer) take(node, layer);
      else missing(node, 'no layer of that name in the file');
    }
  } else {
    let j = 0;
    let stopped: string | undefined;
    for (const node of nodes) {
      const layer = source.layers[j];
      if (stopped !== undefined || !layer) {
        missing(node, stopped ?? 'the file has no more layers');
        continue;
      }
      const paired = pair(node, layer.weights);
      const fits = layer.weights.length === node.params.length && paired.every((w, k) => w && sameShape(w.shape, node.params[k]!.shape));
      if (!fits) {
        stopped = `matching by order stopped at ${node.id} ${node.params.map((p) => shapeText(p.shape)).join(' ')}: the file's next layer ${layer.name} is ${layer.weights.map((w) => shapeText(w.shape)).join(' ')}`;
        missing(node, stopped);
        continue;
      }
      take(node, layer);
      j++;
    }
  }
  report.unused = source.layers.filter((l) => !used.has(l.name)).map((l) => l.name);
  return { weights, report };
}

/** The report as the run keeps it (pretrained.txt); with `limit`, as the log prints it: at most that many lines per list. */
export function formatPretrained(r: PretrainedReport, limit = Infinity): string {
  const cut = (lines: string[]): string[] => (lines.length > limit ? [...lines.slice(0, limit), `    ... ${lines.length - limit} more (pretrained.txt among the run's artifacts has them all)`] : lines);
  const total = r.loaded.length + r.notLoaded.length;
  const lines = [`pretrained: ${r.loaded.length} of ${total} weights loaded from ${r.file} (matched by ${r.match})`];
  if (r.notLoaded.length) lines.push(`  not loaded (${r.notLoaded.length}, left as initialised):`, ...cut(r.notLoaded.map((n) => `    ${n.weight} ${shapeText(n.shape)}: ${n.reason}`)));
  if (r.unused.length) lines.push(`  file layers not used (${r.unused.length}): ${r.unused.slice(0, limit).join(', ')}${r.unused.length > limit ? ', ...' : ''}`);
  if (r.loaded.length) lines.push(`  loaded (${r.loaded.length}):`, ...cut(r.loaded.map((l) => `    ${l.weight} ${shapeText(l.shape)} <- ${l.from}`)));
  return lines.join('\n');
}
