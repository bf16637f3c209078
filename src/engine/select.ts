import { mulberry32 } from '../data/rng.js';
import type { Experiment } from '../config/schema.js';
import type { ModelSpec } from '../model/spec.js';
import type { LossSpec } from './loss.js';
import type { OptimizerSpec } from './optimizer.js';
import { UserError } from '../core/errors.js';
import { mayUseGpu } from './capabilities.js';
import type { TrainingEngine } from './engine.js';
import { createOnnxEngine } from './onnx-engine.js';
import type { LoadedBackend } from './tfjs/backend.js';

export interface EngineChoice {
  engine: TrainingEngine;
  /** Why this engine, for the log. */
  reason: string;
}

/**
 * train.engine auto: tfjs when it runs on a GPU; otherwise the compiled ONNX engine when it
 * implements the model and optimizer; otherwise tfjs on whatever backend is present. TensorFlow.js
 * is loaded only when a tfjs engine may be chosen: the onnx engine makes its own initial weights.
 */
export async function createEngine(train: Experiment['train'], spec: ModelSpec, loss: LossSpec, optimizer: OptimizerSpec): Promise<EngineChoice> {
  const random = mulberry32(train.seed ^ 0x5eed);
  const clip = train.clip_norm !== undefined ? { clipNorm: train.clip_norm } : {};
  const tfjsEngine = async (loaded: LoadedBackend): Promise<TrainingEngine> => {
    const { createTfjsEngine } = await import('./tfjs/engine.js');
    return createTfjsEngine(spec, loaded, { loss, optimizer, ...clip, seed: train.seed, random });
  };
  const tfjs = async (reason: string): Promise<EngineChoice> => {
    // Never ignored silently: replicas change what batch norm computes, and tfjs trains whole batches.
    if (train.replicas > 1) throw new UserError(`train.replicas: ${train.replicas} splits batches across ONNX Runtime sessions, but this run trains on tfjs (${reason}): use train.engine: onnx or remove train.replicas`);
    const { loadBackend } = await import('./tfjs/backend.js');
    const loaded = await loadBackend(train.backend);
    const depthwise = spec.nodes.find((n) => n.layer.type === 'depthwise_conv2d' || n.layer.type === 'separable_conv2d');
    if (loaded.backend === 'wasm' && depthwise) {
      throw new UserError(`tfjs's WebAssembly backend has no gradient for depthwise convolutions (${depthwise.layer.type} ${depthwise.id}): use train.engine: onnx (or auto), or train.backend: cpu`);
    }
    return { engine: await tfjsEngine(loaded), reason };
  };
  const onnx = async (reason: string): Promise<EngineChoice> => ({
    engine: await createOnnxEngine(spec, { loss, optimizer, ...clip, seed: train.seed, batchSize: train.batch_size, replicas: train.replicas }),
    reason,
  });

  if (train.engine === 'tfjs') return tfjs('train.engine: tfjs');
  if (train.engine === 'onnx') {
    if (!optimizer.arrays) throw new UserError(`train.engine onnx has no '${optimizer.name}' optimizer; use train.engine: tfjs or another optimizer (exp list optimizers)`);
    return onnx('train.engine: onnx');
  }
  if (train.replicas > 1 && optimizer.arrays) return onnx(`train.replicas: ${train.replicas} (data parallel, the onnx engine)`);
  if (mayUseGpu(train.backend)) {
    const { loadBackend } = await import('./tfjs/backend.js');
    const loaded = await loadBackend(train.backend);
    if (loaded.device === 'GPU') return { engine: await tfjsEngine(loaded), reason: 'a GPU is present' };
  }
  if (train.backend === 'auto' && optimizer.arrays) return onnx('no GPU; the compiled CPU engine implements this model');
  return tfjs(optimizer.arrays ? `train.backend: ${train.backend}` : `the onnx engine has no ${optimizer.name} optimizer`);
}
