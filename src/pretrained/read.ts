import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { readFloatInitializers } from '../engine/onnx/initializers.js';
import { UserError } from '../core/errors.js';

/** One weight of a pretrained file: its layer, its own name in that layer (kernel, gamma, ...), shape and values. */
export interface SourceWeight {
  name: string;
  layer: string;
  suffix: string;
  shape: number[];
  values: Float32Array;
}

/** A file's weights grouped by layer, the layers in the model's order (its topology, else the file's order). */
export interface SourceModel {
  file: string;
  format: 'tfjs' | 'onnx';
  layers: { name: string; weights: SourceWeight[] }[];
}

/** A pretrained file that cannot be read: said with the file, not as a stack trace. */
export class PretrainedError extends UserError {}

/** `layer/suffix`: Keras and tfjs name weights so. exp's own ONNX names them `p<k>_<type><node>_<suffix>`. */
function split(name: string): { layer: string; suffix: string } {
  const exp = /^p\d+_([a-z0-9_]*?\d+)_([a-z_]+)$/.exec(name);
  if (exp) return { layer: exp[1]!, suffix: exp[2]! };
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('.'));
  return cut < 0 ? { layer: name, suffix: '' } : { layer: name.slice(0, cut), suffix: name.slice(cut + 1) };
}

function group(file: string, format: SourceModel['format'], weights: SourceWeight[], order: string[]): SourceModel {
  const byLayer = new Map<string, SourceWeight[]>();
  for (const w of weights) byLayer.set(w.layer, [...(byLayer.get(w.layer) ?? []), w]);
  const rank = new Map(order.map((n, i) => [n, i]));
  const names = [...byLayer.keys()].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
  return { file, format, layers: names.map((name) => ({ name, weights: byLayer.get(name)! })) };
}

interface LayersModelJson {
  modelTopology?: { model_config?: { config?: { layers?: { name?: string; config?: { name?: string } }[] } }; config?: { layers?: { name?: string; config?: { name?: string } }[] } };
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** A tfjs layers model (model.json and its weight shards beside it); quantized weights come back as float32. */
async function readTfjs(file: string): Promise<SourceModel> {
  let json: LayersModelJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as LayersModelJson;
  } catch (e) {
    throw new PretrainedError(`${file} is not a tfjs model.json: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new PretrainedError(`${file} has no weightsManifest: is it a tfjs layers model (model.json)?`);
  // Loaded here only: an onnx run without a pretrained tfjs file never loads TensorFlow.js.
  const tfjs = await import('@tensorflow/tfjs');
  const weights: SourceWeight[] = [];
  for (const group of json.weightsManifest) {
    const shards = group.paths.map((p) => {
      try {
        return readFileSync(path.join(path.dirname(file), p));
      } catch {
        throw new PretrainedError(`${file} lists the weight file ${p}, which is not beside it`);
      }
    });
    const bytes = Buffer.concat(shards);
    const tensors = tfjs.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), group.weights);
    for (const spec of group.weights) {
      const t = tensors[spec.name]!;
      if (t.dtype === 'float32') weights.push({ name: spec.name, ...split(spec.name), shape: [...spec.shape], values: (t.dataSync() as Float32Array).slice() });
      t.dispose();
    }
  }
  const topology = json.modelTopology?.model_config?.config ?? json.modelTopology?.config;
  const order = (topology?.layers ?? []).map((l) => l.config?.name ?? l.name ?? '');
  return group(file, 'tfjs', weights, order);
}

/** An ONNX model's float32 initializers, in file order. */
function readOnnx(file: string): SourceModel {
  let inits;
  try {
    inits = readFloatInitializers(readFileSync(file));
  } catch (e) {
    throw new PretrainedError(`${file} is not a readable ONNX model: ${e instanceof Error ? e.message : String(e)}`);
  }
  return group(file, 'onnx', [...inits].map(([name, i]) => ({ name, ...split(name), shape: i.dims, values: i.data })), []);
}

/** The weights of a tfjs model.json or an .onnx file. */
export async function readPretrained(file: string): Promise<SourceModel> {
  if (/\.onnx$/i.test(file)) return readOnnx(file);
  if (/\.json$/i.test(file)) return readTfjs(file);
  throw new PretrainedError(`${file}: pretrained weights come from a tfjs model.json or an .onnx file`);
}
