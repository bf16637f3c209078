// Steady-state training throughput of one engine (onnx, or tfjs on WebAssembly) for one
// model/size; prints one JSON line. Build + run: see bench/compare.sh (tsc into bench/out, then node).
import { describeParams } from '../src/engine/onnx/build.js';
import { compileTrainer } from '../src/engine/onnx/trainer.js';
import type { Experiment } from '../src/config/schema.js';
import { createEngine } from '../src/engine/select.js';
import { UserError } from '../src/core/errors.js';
import { mulberry32 } from '../src/data/rng.js';
import { TRAINING_FLOPS_PER_FORWARD } from '../src/model/flops.js';
import { summarize } from '../src/model/summary.js';
import { createOptimizer } from '../src/registry/optimizers/index.js';
import { benchSpec } from './models.js';

type Step = (x: Float32Array, y: Float32Array) => Promise<unknown>;

/** The engine's training step on one batch, and how to release it. */
async function stepper(engine: string, spec: ReturnType<typeof benchSpec>, batch: number): Promise<{ step: Step; dispose: () => Promise<void>; optimizerMs?: () => number }> {
  const optimizer = { name: 'adam', lr: 1e-3 } as const;
  if (engine === 'onnx') {
    // REPLICAS=N splits each batch across N single-threaded sessions (train.replicas).
    // ORT_THREADS, ORT_SPIN=1 and ORT_INTER=N try the session options the engine fixes (intra-op threads,
    // spinning, sequential execution) in A/B runs; ORT_INTER=N runs independent ops on N inter-op threads.
    const threads = process.env.ORT_THREADS ? Number(process.env.ORT_THREADS) : undefined;
    const replicas = process.env.REPLICAS ? Number(process.env.REPLICAS) : undefined;
    const inter = process.env.ORT_INTER ? Number(process.env.ORT_INTER) : undefined;
    const spinning = process.env.ORT_SPIN === '1' ? '1' : '0';
    const session = process.env.ORT_SPIN === '1' || inter !== undefined ? {
      extra: { session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: spinning } } },
      ...(inter !== undefined ? { executionMode: 'parallel' as const, interOpNumThreads: inter } : {}),
    } : undefined;
    // The JS update is timed on its own: it runs on this thread between ORT's runs, with replicas too.
    const update = createOptimizer(optimizer).arrays!();
    const inner = update.step.bind(update);
    let optimizerMs = 0;
    update.step = (params, grads) => {
      const t0 = performance.now();
      inner(params, grads);
      optimizerMs += performance.now() - t0;
    };
    const trainer = await compileTrainer(spec, {
      batchSize: batch, loss: { name: 'binary_crossentropy', label_smoothing: 0 }, optimizer: update, seed: 1,
      ...(threads ? { threads } : {}), ...(replicas ? { replicas } : {}), ...(session ? { sessionOptions: session } : {}),
    });
    return { step: (x, y) => trainer.trainStep(x, y), dispose: () => trainer.dispose(), optimizerMs: () => optimizerMs };
  }
  if (engine !== 'tfjs-wasm') throw new Error(`unknown engine ${engine}: onnx or tfjs-wasm`);
  const train: Experiment['train'] = { epochs: 1, batch_size: batch, seed: 1, optimizer, schedule: { name: 'constant' }, callbacks: [], engine: 'tfjs', backend: 'wasm', replicas: 1 };
  const { engine: e } = await createEngine(train, spec, { name: 'binary_crossentropy', label_smoothing: 0 }, createOptimizer(optimizer));
  const ones = new Float32Array(batch).fill(1);
  return { step: (x, y) => e.trainStep(x, y, ones), dispose: () => e.dispose() };
}

async function main(): Promise<void> {
  const [model = 'cnn2', sizeArg = '128', batchArg = '32', stepsArg = '20', engine = 'onnx'] = process.argv.slice(2);
  const size = Number(sizeArg);
  const batch = Number(batchArg);
  const steps = Number(stepsArg);
  const spec = benchSpec(model, size);
  let trainer: Awaited<ReturnType<typeof stepper>>;
  try {
    trainer = await stepper(engine, spec, batch);
  } catch (e) {
    // An engine that cannot train this model (tfjs-wasm has no depthwise gradient) is a row of
    // the table saying so, not the end of the benchmark.
    if (!(e instanceof UserError)) throw e;
    console.log(JSON.stringify({ engine, model, size, batch, skipped: e.message }));
    return;
  }
  const random = mulberry32(2);
  const x = Float32Array.from({ length: batch * size * size }, () => random());
  const y = Float32Array.from({ length: batch }, () => (random() < 0.5 ? 0 : 1));
  const warmup = 3;
  const times: number[] = [];
  let cpu0 = process.cpuUsage();
  let optimizer0 = 0;
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) {
      cpu0 = process.cpuUsage();
      optimizer0 = trainer.optimizerMs?.() ?? 0;
    }
    const t0 = performance.now();
    await trainer.step(x, y);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const total = times.reduce((a, b) => a + b, 0);
  await trainer.dispose();
  console.log(JSON.stringify({
    // Replicas are their own row of the table: batch norm's statistics per share make them another training.
    engine: engine === 'onnx' && Number(process.env.REPLICAS) > 1 ? `onnx x${process.env.REPLICAS} replicas` : engine,
    model, size, batch, steps,
    imgPerSec: (batch * steps * 1000) / total,
    medianStepMs: median,
    ...(trainer.optimizerMs ? { optimizerMsPerStep: (trainer.optimizerMs() - optimizer0) / steps } : {}),
    // CPU time (all threads) per image: less sensitive than wall time to other load on a shared machine.
    cpuMsPerImage: (cpu.user + cpu.system) / 1000 / (batch * steps),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    // PyTorch counts batch norm's gamma and beta only: compare trainable parameters.
    trainableParams: describeParams(spec).filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, d) => x * d, 1), 0),
    trainFlopsPerImage: TRAINING_FLOPS_PER_FORWARD * summarize(spec).totalFlops,
  }));
}

await main();
