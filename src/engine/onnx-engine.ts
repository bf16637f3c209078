import { compileTrainer } from './onnx/index.js';
import type { LossSpec } from './loss.js';
import type { OptimizerSpec } from './optimizer.js';
import type { ModelSpec } from '../model/spec.js';
import type { TrainingEngine } from './engine.js';

/**
 * The compiled CPU engine: the whole training step as one ONNX Runtime graph per batch.
 * It creates its initial weights from `seed` with the tfjs engine's seeded initialisers
 * (onnx/initial-weights.ts), so both engines begin a run from identical weights.
 */
export async function createOnnxEngine(
  spec: ModelSpec,
  options: { loss: LossSpec; optimizer: OptimizerSpec; clipNorm?: number; seed: number; batchSize: number; replicas?: number },
): Promise<TrainingEngine> {
  const { optimizer } = options;
  if (!optimizer.arrays) throw new Error(`the onnx engine has no ${optimizer.name} optimizer`);
  // EXP_THREADS caps ONNX Runtime's threads: `exp run --jobs N` gives each of its N workers a share of the cores.
  const threads = Number(process.env.EXP_THREADS) || undefined;
  // EXP_ONNX_PROVIDERS=cuda,cpu asks ONNX Runtime for its CUDA build (installed with --onnxruntime-node-install=cuda12).
  const providers = process.env.EXP_ONNX_PROVIDERS?.split(',').map((p) => p.trim()).filter(Boolean);
  const trainer = await compileTrainer(spec, {
    batchSize: options.batchSize,
    loss: options.loss,
    optimizer: optimizer.arrays(),
    ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
    seed: options.seed,
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(threads ? { threads } : {}),
    ...(providers?.length ? { providers } : {}),
  });
  return {
    name: 'onnx',
    backend: providers?.length ? `onnxruntime (${providers.join(', ')})` : 'onnxruntime',
    device: providers?.[0] === 'cuda' ? 'GPU' : 'CPU',
    spec,
    async trainStep(x, targets, sampleWeights) {
      const { loss, predictions } = await trainer.trainStep(x, targets, sampleWeights);
      return { loss, outputs: predictions };
    },
    predict: (x, n) => trainer.predict(x, n),
    getWeights: () => trainer.getWeights(),
    setWeights: (weights) => trainer.setWeights(weights),
    freeze: (nodes) => trainer.freeze(nodes, optimizer.arrays!()),
    get learningRate() {
      return trainer.getLearningRate();
    },
    set learningRate(lr: number) {
      trainer.setLearningRate(lr);
    },
    saveState: async () => ({ ...trainer.getState(), lr: trainer.getLearningRate() }),
    async loadState(state) {
      trainer.setState(state);
      trainer.setLearningRate(state.lr);
    },
    dispose: () => trainer.dispose(),
  };
}
