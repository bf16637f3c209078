import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../core/errors.js';
import { INSTALL_HINTS, installed, type Backend } from '../capabilities.js';
import { registerWasmConvGradients } from './wasm-kernels.js';

export type { Backend } from '../capabilities.js';

export interface LoadedBackend {
  backend: Backend;
  device: 'GPU' | 'CPU';
}

/**
 * Loads a native package in a child process first: a missing CUDA library can abort the
 * process outright, which a try/catch here could not survive. Returns whether it sees a GPU.
 */
function probe(pkg: string): { ok: boolean; gpu: boolean; error?: string } {
  const script = `const tf=require(${JSON.stringify(pkg)});tf.ready().then(()=>{process.stdout.write(JSON.stringify({gpu:!!tf.backend().isUsingGpuDevice}))})`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { ok: false, gpu: false, error: (r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1) };
  try {
    return { ok: true, gpu: (JSON.parse(r.stdout) as { gpu: boolean }).gpu };
  } catch {
    return { ok: false, gpu: false, error: 'no answer from the probe' };
  }
}

async function activate(pkg: string, backend: Backend, device: 'GPU' | 'CPU'): Promise<LoadedBackend> {
  // The native packages register the 'tensorflow' backend on the same tfjs-core this module uses.
  await import(pkg);
  await tf.setBackend('tensorflow');
  return { backend, device };
}

/** tfjs's WebAssembly backend (XNNPACK kernels, one thread in Node), with exp's convolution gradients. */
async function activateWasm(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmConvGradients();
  return tf.setBackend('wasm');
}

/**
 * Picks the TensorFlow.js backend: the one asked for (a clear error if it is not installed or
 * does not load), or the best present: tfjs-node-gpu with a GPU, then tfjs-node, then
 * WebAssembly (about 100x pure JS's speed for CNN training), then pure JS.
 */
export async function loadBackend(wanted: Backend | 'auto'): Promise<LoadedBackend> {
  // Production mode: no per-op debug checks, and no "install tfjs-node" banner (exp says
  // which backend it uses itself).
  tf.enableProdMode();
  for (const pkg of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    if (wanted !== 'auto' && wanted !== pkg) continue;
    const name = `@tensorflow/${pkg}`;
    if (!installed(name)) {
      if (wanted === pkg) throw new UserError(`train.backend is ${pkg}, but ${name} is not installed: ${INSTALL_HINTS[pkg]}`);
      continue;
    }
    const p = probe(name);
    if (p.ok && (p.gpu || pkg === 'tfjs-node')) return activate(name, pkg, p.gpu ? 'GPU' : 'CPU');
    if (wanted === pkg) throw new UserError(`train.backend is ${pkg}, but ${name} ${p.ok ? 'sees no GPU' : `does not load: ${p.error}`}${pkg === 'tfjs-node-gpu' ? ' (it needs CUDA 11.2 and cuDNN 8.1)' : ''}`);
  }
  if (wanted === 'auto' || wanted === 'wasm') {
    if (await activateWasm()) return { backend: 'wasm', device: 'CPU' };
    if (wanted === 'wasm') throw new UserError('train.backend is wasm, but the WebAssembly backend did not start');
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu', device: 'CPU' };
}
