// The tfjs side of every engine check: what the tfjs engine builds for a spec.
import type * as tf from '@tensorflow/tfjs';
import { buildTfModel, layerContext, type TfModel } from '../../src/engine/tfjs/build.js';
import type { LayerSpec, ModelSpec } from '../../src/model/spec.js';
import { layerOf } from '../../src/registry/layers/index.js';

/** The tfjs layer the registry defines for a spec: the reference its ONNX lowering must match. */
export function tfjsLayer(spec: LayerSpec): tf.layers.Layer {
  const built = layerOf(spec).tfjs(spec, layerContext(1));
  if (built.length !== 1) throw new Error(`${spec.type} is ${built.length} tfjs layers; check it as a model`);
  return built[0]!;
}

/** The tfjs model exp's tfjs engine trains, from seeded initial weights, with its weights in exp's order. */
export const tfjsModel = (spec: ModelSpec, seed = 1): TfModel => buildTfModel(spec, seed);

/** ||a - b|| / ||b||: the relative error used by every check. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
}

export function randomArray(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
}
