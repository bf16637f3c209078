/**
 * One replica of a data-parallel training step (replicas.ts): a worker thread with its own ONNX
 * Runtime session per graph, running its share of each batch. It reads the weights from the
 * trainer's shared buffers before each run and answers with its graph's outputs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { ReplicaReply, ReplicaRequest, ReplicaSetup } from './replicas.js';

const setup = workerData as ReplicaSetup;
// ORT refuses tensors over a SharedArrayBuffer ("Invalid argument"), so each run copies the shared
// weights into local arrays first (a memcpy of the weights, next to a step's convolutions).
const local = setup.weights.map((w) => new ort.Tensor('float32', new Float32Array(w.shared.length), w.shape));
const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function handle(request: ReplicaRequest): Promise<ReplicaReply> {
  switch (request.kind) {
    case 'compile':
      sessions.set(request.key, ort.InferenceSession.create(request.model, setup.sessionOptions));
      await sessions.get(request.key);
      return { id: request.id, outputs: {} };
    case 'release': {
      const session = sessions.get(request.key);
      sessions.delete(request.key);
      await (await session)?.release();
      return { id: request.id, outputs: {} };
    }
    case 'run': {
      const session = await sessions.get(request.key);
      if (session === undefined) throw new Error(`replica: no session ${request.key}`);
      const feeds: Record<string, ort.Tensor> = {};
      setup.weights.forEach((w, i) => {
        (local[i]!.data as Float32Array).set(w.shared);
        feeds[w.name] = local[i]!;
      });
      for (const [name, { data, dims }] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor('float32', data, dims);
      const results = await session.run(feeds);
      const outputs: Record<string, Float32Array> = {};
      for (const name of request.outputs) {
        const data = results[name]?.data;
        if (!(data instanceof Float32Array)) throw new Error(`ORT output ${name} is missing or not float32`);
        outputs[name] = data;
      }
      return { id: request.id, outputs };
    }
  }
}

// Requests run in the order they came (a run waits for its graph's compile).
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (request: ReplicaRequest) => {
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage(await handle(request));
    } catch (e) {
      parentPort!.postMessage({ id: request.id, error: e instanceof Error ? e.message : String(e) } satisfies ReplicaReply);
    }
  });
});
