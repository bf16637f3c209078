import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { buildInferenceGraph, buildTrainGraph, describeParams, IO, outputUnits, type ParamInfo, type TrainGraph } from './build.js';
import type { LossSpec } from '../loss.js';
import { clipByGlobalNorm, type ArrayOptimizer, type OptimizerState } from '../optimizer.js';
import { mulberry32 } from '../../data/rng.js';
import { fillDropoutMask } from './random.js';
import { initialWeights } from './initial-weights.js';
import { ReplicaPool, shareSizes } from './replicas.js';
import type { ModelSpec } from '../../model/spec.js';

export interface TrainerOptions {
  batchSize: number;
  loss: LossSpec;
  /** The update, run in JS on the weights after each step's gradients (a fresh one per trainer: it holds the moments). */
  optimizer: ArrayOptimizer;
  /** Clips the gradients to this global L2 norm before the update (train.clip_norm). */
  clipNorm?: number;
  /** Seeds the initial weights and the dropout masks. */
  seed?: number;
  /** ORT intra-op threads in all; defaults to the number of cores. */
  threads?: number;
  /**
   * Splits each batch across this many single-threaded ORT sessions in worker threads, run at once
   * (train.replicas, replicas.ts); 1 (default): one session over the whole batch.
   */
  replicas?: number;
  /** ONNX Runtime execution providers in order of preference (default: the CPU one). */
  providers?: string[];
  /** ORT session options over exp's (bench/profile.ts turns on ORT's profiler; benchmarks try threads, spinning). */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

export interface StepResult {
  /** mean over the batch of sampleWeight * loss, computed before the update (as tfjs reports it). */
  loss: number;
  /** Model outputs for the batch, [n, units] row-major. */
  predictions: Float32Array;
}

export interface TrainerState {
  optimizer: OptimizerState;
  random: number;
}

export interface Trainer {
  readonly spec: ModelSpec;
  /**
   * Weight shapes in tfjs layout and `model.getWeights()` order: every trainable weight in layer order
   * (conv/dense kernel then bias, batch-norm gamma then beta), then the non-trainable ones
   * (batch-norm moving_mean then moving_variance).
   */
  readonly weightShapes: number[][];
  /**
   * One optimisation step; await each before the next. x: [n, h, w, c] NHWC; y: [n, units];
   * sampleWeights: [n] (default all 1). Any n >= 1: each new n compiles (once) a session for that batch size.
   */
  trainStep(x: Float32Array, y: Float32Array, sampleWeights?: Float32Array): Promise<StepResult>;
  /** Inference-mode outputs (batch norm on running stats, no dropout) for n NHWC images: [n, units]. */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  /** Copies of the weights, tfjs layout and order. */
  getWeights(): Float32Array[];
  setWeights(weights: ArrayLike<number>[]): void;
  /** Keeps these nodes' weights fixed from the next step on (see TrainingEngine.freeze), with `optimizer` (a fresh one) for the rest. */
  freeze(nodes: ReadonlySet<number>, optimizer: ArrayOptimizer): void;
  getLearningRate(): number;
  setLearningRate(lr: number): void;
  /** Optimizer accumulators and the dropout generator's position, for checkpoints. */
  getState(): TrainerState;
  setState(state: TrainerState): void;
  /** A self-contained ONNX model: input `x` [N, h, w, c] NHWC float32, output `predictions` [N, units]. */
  exportInferenceModel(): Uint8Array;
  dispose(): Promise<void>;
}

type Feeds = Record<string, { data: Float32Array; dims: number[] }>;
type Mask = { name: string; rate: number; data: Float32Array; dims: number[] };

function floatOutput(results: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const data = results[name]?.data;
  if (!(data instanceof Float32Array)) throw new Error(`ORT output ${name} is missing or not float32`);
  return data;
}

export async function compileTrainer(spec: ModelSpec, options: TrainerOptions): Promise<Trainer> {
  const params: ParamInfo[] = describeParams(spec);
  const units = outputUnits(spec);
  const [h, w, c] = spec.inputShape;
  const imageSize = h * w * c;
  const random = mulberry32(options.seed ?? 0);
  const replicas = options.replicas ?? 1;
  const threads = options.threads ?? availableParallelism();
  // Replicas read the weights from shared memory, updated in place by the optimizer as before.
  const weights = initialWeights(spec, options.seed ?? 0).map((wt) => (replicas > 1 ? shared(wt) : wt));
  // Tensors wrap the weight arrays, which are updated in place: created once, fed every step. ORT
  // refuses SharedArrayBuffers, so with replicas this thread's sessions (predict) are fed copies.
  const feedable = replicas > 1 ? weights.map((wt) => new Float32Array(wt.length)) : weights;
  const weightTensors = feedable.map((data, i) => new ort.Tensor('float32', data, params[i]!.shape));
  let frozen: ReadonlySet<number> = new Set();
  // The weights the graph outputs gradients (trainable) and new values (batch-norm statistics) for: those of unfrozen nodes.
  let trainable: Float32Array[] = [];
  let stateIdx: number[] = [];
  const split = (): void => {
    trainable = params.flatMap((p, i) => (p.trainable && !frozen.has(p.layer) ? [weights[i]!] : []));
    stateIdx = params.flatMap((p, i) => (!p.trainable && !frozen.has(p.layer) ? [i] : []));
  };
  split();
  let { optimizer } = options;
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionMode: 'sequential',
    ...(options.providers ? { executionProviders: options.providers } : {}),
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Memory patterns pre-plan one block for all intermediates: measured ~1.7x the peak RSS (cnn4 at 128:
    // 1.54 GB vs 0.91 GB) for <10% speed. The arena stays on: without it every step pays page faults (3-5x slower).
    enableMemPattern: false,
    // Idle intra-op threads sleep instead of spinning: on a 2-core machine shared with other work, spinning
    // burnt a third of the CPU and slowed the step (2026-12-03, load 14, bench A/B alternating: cnn2 128x128
    // b32 20-23 -> 29-32 img/s, 14.0 -> 10.3 CPU ms/image; resnet18 width 32 11.7 -> 16.8 img/s).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    ...options.sessionOptions,
  };

  // One training graph (and session) per batch size: a last partial batch gets its own, so batch
  // statistics and the loss mean are over exactly the real samples. With replicas, per share size.
  let generation = 0;
  const graphs = new Map<number, TrainGraph>();
  const graphFor = (n: number): TrainGraph => {
    let graph = graphs.get(n);
    if (graph === undefined) {
      graph = buildTrainGraph(spec, options.loss, n, frozen);
      graphs.set(n, graph);
    }
    return graph;
  };
  const trainSessions = new Map<number, Promise<ort.InferenceSession>>();
  const trainSession = (n: number): Promise<ort.InferenceSession> => {
    let s = trainSessions.get(n);
    if (s === undefined) {
      s = ort.InferenceSession.create(graphFor(n).model, sessionOptions);
      trainSessions.set(n, s);
    }
    return s;
  };
  // Each replica's session gets its share of the threads; this thread's (predict, for validation) all of them.
  const pool = replicas > 1
    ? new ReplicaPool(replicas, {
        weights: params.map((p, i) => ({ name: p.name, shape: p.shape, shared: weights[i]! })),
        sessionOptions: { ...sessionOptions, intraOpNumThreads: Math.max(1, Math.floor(threads / replicas)) },
      })
    : undefined;
  // The whole batch's dropout masks (batch first), drawn in the same order however the batch is split.
  const maskBuffers = new Map<number, Mask[]>();
  const masksFor = (n: number, graph: TrainGraph): Mask[] => {
    let masks = maskBuffers.get(n);
    if (masks === undefined) {
      masks = graph.masks.map((m) => {
        const dims = [n, ...m.shape.slice(1)];
        return { name: m.name, rate: m.rate, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
      });
      maskBuffers.set(n, masks);
    }
    return masks;
  };
  let inference: Promise<ort.InferenceSession> | undefined;

  const weightFeeds = (): Record<string, ort.Tensor> => {
    if (feedable !== weights) feedable.forEach((copy, i) => copy.set(weights[i]!));
    return Object.fromEntries(params.map((p, i) => [p.name, weightTensors[i]!]));
  };
  const runLocal = async (n: number, batchFeeds: Feeds, outputs: string[]): Promise<Record<string, Float32Array>> => {
    const session = await trainSession(n);
    const feeds = weightFeeds();
    for (const [name, { data, dims }] of Object.entries(batchFeeds)) feeds[name] = new ort.Tensor('float32', data, dims);
    const out = await session.run(feeds);
    return Object.fromEntries(outputs.map((name) => [name, floatOutput(out, name)]));
  };

  return {
    spec,
    weightShapes: params.map((p) => [...p.shape]),

    async trainStep(x, y, sampleWeights) {
      const n = x.length / imageSize;
      if (!Number.isInteger(n) || n < 1 || y.length !== n * units || (sampleWeights !== undefined && sampleWeights.length !== n)) {
        throw new Error(`trainStep: x/y/sampleWeights sizes do not match the model (${x.length / imageSize} images)`);
      }
      // Output names and mask shapes are the same in every batch size's graph.
      const graph = graphFor(shareSizes(n, replicas)[0]!);
      const batchFeeds: Feeds = {
        [IO.x]: { data: x, dims: [n, h, w, c] },
        [IO.y]: { data: y, dims: [n, units] },
        [IO.sampleWeights]: { data: sampleWeights ?? new Float32Array(n).fill(1), dims: [n] },
      };
      for (const mask of masksFor(n, graph)) {
        fillDropoutMask(mask.data, mask.rate, random);
        batchFeeds[mask.name] = mask;
      }
      const outputs = [...graph.gradOutputs, ...graph.updateOutputs, IO.loss, IO.predictions];
      const key = generation;
      const out = pool
        ? await pool.run(n, { graph: (size) => ({ key: `${key}:${size}`, model: graphFor(size).model }), batchFeeds, batchOutputs: [IO.predictions], outputs })
        : await runLocal(n, batchFeeds, outputs);
      const grads = graph.gradOutputs.map((name) => out[name]!);
      if (options.clipNorm !== undefined) clipByGlobalNorm(grads, options.clipNorm);
      optimizer.step(trainable, grads);
      graph.updateOutputs.forEach((name, k) => weights[stateIdx[k]!]!.set(out[name]!));
      return { loss: out[IO.loss]![0]!, predictions: out[IO.predictions]! };
    },

    async predict(x, n) {
      inference ??= ort.InferenceSession.create(buildInferenceGraph(spec), sessionOptions);
      const session = await inference;
      const result = new Float32Array(n * units);
      const feeds = weightFeeds();
      for (let start = 0; start < n; start += options.batchSize) {
        const m = Math.min(options.batchSize, n - start);
        feeds[IO.x] = new ort.Tensor('float32', x.subarray(start * imageSize, (start + m) * imageSize), [m, h, w, c]);
        const out = await session.run(feeds);
        result.set(floatOutput(out, IO.predictions), start * units);
      }
      return result;
    },

    getWeights: () => weights.map((wt) => wt.slice()),

    setWeights(values) {
      if (values.length !== weights.length) throw new Error(`setWeights: expected ${weights.length} arrays, got ${values.length}`);
      values.forEach((v, i) => {
        if (v.length !== weights[i]!.length) throw new Error(`setWeights: weight ${i} (${params[i]!.name}) has ${v.length} values, expected ${weights[i]!.length}`);
        weights[i]!.set(v);
      });
    },

    freeze(nodes, fresh) {
      frozen = new Set(nodes);
      split();
      optimizer = fresh;
      // The training graphs change (frozen nodes give no gradients): each batch size compiles again.
      const old = [...trainSessions.values()];
      trainSessions.clear();
      graphs.clear();
      maskBuffers.clear();
      generation++;
      pool?.releaseAll();
      void Promise.all(old.map(async (s) => (await s).release())).catch(() => undefined);
    },

    getState: () => ({ optimizer: optimizer.state(), random: random.state }),
    setState(state) {
      optimizer.restore(state.optimizer);
      random.state = state.random;
    },

    getLearningRate: () => optimizer.lr,
    setLearningRate(lr) {
      optimizer.lr = lr;
    },

    exportInferenceModel: () => buildInferenceGraph(spec, weights.map((wt) => wt.slice())),

    async dispose() {
      const sessions = [...trainSessions.values()];
      await pool?.dispose();
      if (inference !== undefined) sessions.push(inference);
      await Promise.all(
        sessions.map(async (s) => {
          // The profiler writes its file (profileFilePrefix_<time>.json) only when told to end.
          if (sessionOptions.enableProfiling) (await s).endProfiling();
          await (await s).release();
        }),
      );
      trainSessions.clear();
    },
  };
}

/** A copy of `data` in a SharedArrayBuffer, which the replicas' threads read. */
function shared(data: Float32Array): Float32Array {
  const copy = new Float32Array(new SharedArrayBuffer(data.byteLength));
  copy.set(data);
  return copy;
}
