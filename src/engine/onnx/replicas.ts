/**
 * Data-parallel training steps (train.replicas): each batch is split into contiguous shares, one per
 * worker thread, and every worker runs the training graph for its share in its own ONNX Runtime
 * session at once. The outputs come back combined as one session over the whole batch gives them:
 * per-image outputs concatenated, everything else (the loss and gradients, means over the batch;
 * batch norm's new moving statistics) averaged with each share's weight. The one difference from a
 * single session is batch norm, whose batch statistics are then per share (PyTorch's
 * DistributedDataParallel without SyncBatchNorm does the same).
 *
 * Why: ORT's convolutions with weights fed at run time hardly use a second intra-op thread
 * (resnet18 width 32, 128x128: 1.1x; docs/performance.md), while two sessions of one thread each
 * use both cores (two processes at once, 2026-12-04: 1.7x resnet18's and 1.3x cnn2's throughput).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';

/** workerData of a replica: the trainer's weights (shared, updated in place) and the session options. */
export interface ReplicaSetup {
  weights: { name: string; shape: number[]; shared: Float32Array }[];
  sessionOptions: ort.InferenceSession.SessionOptions;
}

export type ReplicaRequest =
  | { id: number; kind: 'compile'; key: string; model: Uint8Array }
  | { id: number; kind: 'release'; key: string }
  | { id: number; kind: 'run'; key: string; feeds: Record<string, { data: Float32Array; dims: number[] }>; outputs: string[] };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type ReplicaReply = { id: number; outputs: Record<string, Float32Array> } | { id: number; error: string };

// Compiled by tsc the worker sits beside this file; bundled (dist/bundle/) or run from the TypeScript
// sources (tests), it is tsc's in dist/engine/onnx/.
const WORKER = [new URL('./replica-worker.js', import.meta.url), new URL('../engine/onnx/replica-worker.js', import.meta.url), new URL('../../../dist/engine/onnx/replica-worker.js', import.meta.url)].find((u) => existsSync(u));

/** How n images split into at most `count` contiguous shares (the first ones one larger). */
export function shareSizes(n: number, count: number): number[] {
  const k = Math.min(count, n);
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

class Replica {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (o: Record<string, Float32Array>) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(setup: ReplicaSetup) {
    if (WORKER === undefined) throw new Error('replica-worker.js not found: run npm run build');
    this.worker = new Worker(WORKER, { workerData: setup });
    // An idle replica does not keep the process alive; one with a request out does.
    this.worker.unref();
    this.worker.on('message', (reply: ReplicaReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply) p?.reject(new Error(reply.error));
      else p?.resolve(reply.outputs);
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`an ONNX Runtime replica thread exited (code ${code})`)));
  }

  request(r: WithoutId<ReplicaRequest>): Promise<Record<string, Float32Array>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...r, id });
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('replicas disposed');
    await this.worker.terminate();
  }
}

export interface ReplicaRun {
  /** The graph for a share of this many images, under a key naming it (a new key for a new graph). */
  graph: (shareSize: number) => { key: string; model: Uint8Array };
  /** Inputs with the batch as their first dimension: split by rows, with their whole-batch dims. */
  batchFeeds: Record<string, { data: Float32Array; dims: number[] }>;
  /** Outputs with the batch first (concatenated); the others are averaged by share size. */
  batchOutputs: string[];
  outputs: string[];
}

export class ReplicaPool {
  private readonly replicas: Replica[];
  private readonly compiled: Set<string>[];

  constructor(count: number, setup: ReplicaSetup) {
    this.replicas = Array.from({ length: count }, () => new Replica(setup));
    this.compiled = this.replicas.map(() => new Set());
  }

  /** One training step over n images: each replica runs its share, the outputs combined. */
  async run(n: number, run: ReplicaRun): Promise<Record<string, Float32Array>> {
    const sizes = shareSizes(n, this.replicas.length);
    let start = 0;
    const results = await Promise.all(
      sizes.map(async (size, r) => {
        const first = start;
        start += size;
        const { key, model } = run.graph(size);
        const replica = this.replicas[r]!;
        if (!this.compiled[r]!.has(key)) {
          this.compiled[r]!.add(key);
          await replica.request({ kind: 'compile', key, model });
        }
        const feeds = Object.fromEntries(
          Object.entries(run.batchFeeds).map(([name, { data, dims }]) => {
            const row = data.length / dims[0]!;
            // slice, not subarray: a posted view would copy its whole buffer.
            return [name, { data: data.slice(first * row, (first + size) * row), dims: [size, ...dims.slice(1)] }];
          }),
        );
        return replica.request({ kind: 'run', key, feeds, outputs: run.outputs });
      }),
    );
    const combined: Record<string, Float32Array> = {};
    for (const name of run.outputs) {
      const parts = results.map((r) => r[name]!);
      if (run.batchOutputs.includes(name)) {
        const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        combined[name] = all;
      } else {
        const mean = new Float32Array(parts[0]!.length);
        parts.forEach((p, r) => {
          const share = sizes[r]! / n;
          for (let i = 0; i < p.length; i++) mean[i]! += share * p[i]!;
        });
        combined[name] = mean;
      }
    }
    return combined;
  }

  /** Drops every graph's sessions (after freeze: the graphs change). */
  releaseAll(): void {
    this.compiled.forEach((keys, r) => {
      for (const key of keys) void this.replicas[r]!.request({ kind: 'release', key }).catch(() => undefined);
      keys.clear();
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }
}
