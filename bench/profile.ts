// Where a training step's time goes, from ONNX Runtime's own profiler (session option
// enableProfiling): ORT time per op type and per layer, forward vs backward, the JS optimizer
// update and the rest of the step in JS. Prints one JSON line per model (and a readable table on
// stderr). Build + run: bench/profile.sh (tsc into bench/out, then node).
//
// Node names carry their layer: while a layer's lowering (forward, or its gradient rules) builds
// nodes, this script prefixes their names with the layer's id and the pass. That is done here, by
// wrapping the registry's lowerings and GraphBuilder.op, so the engine itself carries no profiling code.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GraphBuilder } from '../src/engine/onnx/graph.js';
import { RULES } from '../src/engine/onnx/gradients.js';
import type { Lowered, NodeLowering } from '../src/engine/onnx/lowering.js';
import { compileTrainer } from '../src/engine/onnx/trainer.js';
import type { ArrayOptimizer } from '../src/engine/optimizer.js';
import { mulberry32 } from '../src/data/rng.js';
import type { LayerSpec } from '../src/model/spec.js';
import { summarize } from '../src/model/summary.js';
import { layers } from '../src/registry/layers/index.js';
import { createOptimizer } from '../src/registry/optimizers/index.js';
import { benchSpec } from './models.js';

/** The layer and pass whose nodes are being built ('' outside any layer: input layout, loss, gradient sums). */
let scope = '';

/** Spec node ids by layer type, in order: the nth lowering of a type is the nth node of that type. */
let idsByType = new Map<string, string[]>();
const counters = new Map<string, number>();

function labelNodes(): void {
  for (const name of layers.names()) {
    const component = layers.get(name) as { onnx: NodeLowering<LayerSpec> };
    const inner = component.onnx;
    component.onnx = {
      params: (spec, inputs) => inner.params(spec, inputs),
      forward(ctx, spec, xs, params): Lowered {
        if (scope !== '') return inner.forward(ctx, spec, xs, params); // a layer built from another (separable_conv2d)
        const n = counters.get(spec.type) ?? 0;
        counters.set(spec.type, n + 1);
        const id = idsByType.get(spec.type)?.[n] ?? `${spec.type}#${n}`;
        scope = `${spec.type}|${id}|forward`;
        try {
          return inner.forward(ctx, spec, xs, params);
        } finally {
          scope = '';
        }
      },
    };
  }
  // The backward pass is derived op by op (autodiff.ts): the nodes a gradient rule emits belong to
  // the layer and pass of the forward node it differentiates.
  for (const [op, rule] of Object.entries(RULES)) {
    RULES[op] = (args) => {
      const [type, id, pass] = args.node.name.split('|');
      scope = pass === 'forward' ? `${type}|${id}|backward` : 'other|-|backward';
      try {
        return rule(args);
      } finally {
        scope = '';
      }
    };
  }
  // Every node goes through opMulti (op calls it).
  const proto = GraphBuilder.prototype as unknown as { opMulti: (...args: unknown[]) => string[] };
  const opMulti = proto.opMulti;
  proto.opMulti = function (this: { nodes: { name: string }[] }, ...args: unknown[]): string[] {
    const out = opMulti.apply(this, args);
    const node = this.nodes.at(-1)!;
    node.name = `${scope || 'other|-|other'}|${node.name}`;
    return out;
  };
}

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
const top = (m: Map<string, number>, total: number, n: number): Record<string, string> =>
  Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, `${((100 * v) / total).toFixed(1)}%`]));

async function profile(model: string, size: number, batch: number, steps: number): Promise<void> {
  const spec = benchSpec(model, size);
  idsByType = new Map();
  counters.clear();
  for (const node of spec.nodes) idsByType.set(node.layer.type, [...(idsByType.get(node.layer.type) ?? []), node.id]);
  const dir = mkdtempSync(path.join(tmpdir(), 'exp-profile-'));
  const inner = createOptimizer({ name: 'adam', lr: 1e-3 }).arrays!();
  let optimizerMs = 0;
  const optimizer: ArrayOptimizer = {
    get lr() { return inner.lr; },
    set lr(v) { inner.lr = v; },
    step(p, g) {
      const t0 = performance.now();
      inner.step(p, g);
      optimizerMs += performance.now() - t0;
    },
    state: () => inner.state(),
    restore: (s) => inner.restore(s),
  };
  const trainer = await compileTrainer(spec, {
    batchSize: batch, loss: { name: 'binary_crossentropy', label_smoothing: 0 }, optimizer, seed: 1,
    sessionOptions: { enableProfiling: true, profileFilePrefix: path.join(dir, 'ort') },
    // ORT_THREADS=1 against the default shows which ops the second intra-op thread speeds up.
    ...(process.env.ORT_THREADS ? { threads: Number(process.env.ORT_THREADS) } : {}),
  });
  const random = mulberry32(2);
  const x = Float32Array.from({ length: batch * size * size }, () => random());
  const y = Float32Array.from({ length: batch }, () => (random() < 0.5 ? 0 : 1));
  const warmup = 2;
  let stepMs = 0;
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) optimizerMs = 0;
    const t0 = performance.now();
    await trainer.trainStep(x, y);
    if (i >= warmup) stepMs += performance.now() - t0;
  }
  await trainer.dispose();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (file === undefined) throw new Error(`ORT wrote no profile in ${dir}`);
  const events = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ProfileEvent[];
  if (!process.env.KEEP_PROFILE) rmSync(dir, { recursive: true, force: true });

  // The profile covers every run: keep the last `steps` runs' node events.
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const runUs = runs.slice(-steps).reduce((a, e) => a + e.dur, 0);
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = nodes.length / runs.length;
  const kept = nodes.slice(-Math.round(perRun * steps));
  const byOp = new Map<string, number>();
  const byPass = new Map<string, number>();
  const byKind = new Map<string, number>();
  const byLayer = new Map<string, number>();
  let nodeUs = 0;
  for (const e of kept) {
    // ORT fuses nodes (Conv+Relu -> FusedConv) and keeps the first one's name.
    const [type = 'other', id = '-', pass = 'other'] = e.name.split('|');
    const opName = e.args?.op_name ?? '?';
    add(byOp, `${opName} (${pass})`, e.dur);
    add(byPass, pass, e.dur);
    add(byKind, `${type} ${pass}`, e.dur);
    add(byLayer, `${id} ${pass}`, e.dur);
    nodeUs += e.dur;
  }
  const flops = 3 * summarize(spec).totalFlops;
  const stepMsEach = stepMs / steps;
  const ortMs = runUs / 1000 / steps;
  const optMs = optimizerMs / steps;
  const result = {
    model, size, batch, steps,
    imgPerSec: (1000 * batch) / stepMsEach,
    gflopPerSec: (flops * batch) / (stepMsEach / 1000) / 1e9,
    stepMs: stepMsEach,
    // Shares of the step's wall time; the node shares below are of the summed node time (ORT's own
    // bookkeeping between nodes is the rest of ortRun).
    step: { ortRun: ortMs / stepMsEach, optimizerJs: optMs / stepMsEach, otherJs: (stepMsEach - ortMs - optMs) / stepMsEach },
    nodeTimeOfRun: nodeUs / runUs,
    pass: top(byPass, nodeUs, 5),
    layerKind: top(byKind, nodeUs, 12),
    opType: top(byOp, nodeUs, 15),
    layer: top(byLayer, nodeUs, 10),
  };
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  const [models = 'cnn2', sizeArg = '128', batchArg = '32', stepsArg = '5'] = process.argv.slice(2);
  labelNodes();
  for (const model of models.split(',')) await profile(model, Number(sizeArg), Number(batchArg), Number(stepsArg));
}

await main();
