import { createRequire } from 'node:module';
import type { BACKENDS, ENGINES } from '../config/schema.js';

/**
 * What the engines can do, answered without loading one: validation and `--dry-run` ask this
 * before a run exists; select.ts and the backends use the same answers at run time.
 */

export type Backend = Exclude<(typeof BACKENDS)[number], 'auto'>;
export type NativeBackend = Extract<Backend, 'tfjs-node-gpu' | 'tfjs-node'>;

export const INSTALL_HINTS: Record<NativeBackend, string> = {
  'tfjs-node-gpu': 'npm install @tensorflow/tfjs-node-gpu (Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1; it downloads libtensorflow at install)',
  'tfjs-node': 'npm install @tensorflow/tfjs-node (it downloads libtensorflow at install)',
};

const require = createRequire(import.meta.url);

/** Whether a package resolves from here (installed), without loading it. */
export function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

export const nativeInstalled = (backend: NativeBackend): boolean => installed(`@tensorflow/${backend}`);

/** Whether a backend setting can give a GPU: only through tfjs-node-gpu, when it is installed. */
export const mayUseGpu = (backend: (typeof BACKENDS)[number]): boolean => (backend === 'auto' ? nativeInstalled('tfjs-node-gpu') : backend === 'tfjs-node-gpu');

/**
 * The engine and backend a run will use, as far as can be told without loading a backend
 * (whether tfjs-node-gpu sees a GPU is known only when it starts).
 */
export function expectedEngine(train: { engine: (typeof ENGINES)[number]; backend: (typeof BACKENDS)[number] }, onnxOptimizer: boolean): string {
  const tfjsBackend = (): string => {
    if (train.backend !== 'auto') return train.backend;
    const natives = (['tfjs-node-gpu', 'tfjs-node'] as const).filter(nativeInstalled);
    return [...natives.map((n) => (n === 'tfjs-node-gpu' ? 'tfjs-node-gpu if it sees a GPU' : n)), 'wasm'].join(', else ');
  };
  if (train.engine === 'onnx') return 'onnx (ONNX Runtime on the CPU): train.engine: onnx';
  if (train.engine === 'tfjs') return `tfjs on ${tfjsBackend()}: train.engine: tfjs`;
  if (train.backend === 'cpu' || train.backend === 'tfjs-node') return `tfjs on ${train.backend}: train.backend: ${train.backend}`;
  const gpu = mayUseGpu(train.backend);
  const cpu = train.backend === 'auto' && onnxOptimizer ? 'onnx (ONNX Runtime on the CPU)' : `tfjs on ${train.backend === 'auto' ? tfjsBackend().replace(/^tfjs-node-gpu if it sees a GPU, else /, '') : train.backend}`;
  return gpu ? `tfjs on tfjs-node-gpu if it sees a GPU, else ${cpu} (train.engine: auto)` : `${cpu} (train.engine: auto, no GPU backend installed)`;
}
