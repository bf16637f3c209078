import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../model/spec.js';
import { buildTfModel, writeWeights } from './build.js';

/** The files of a tfjs LayersModel (`tf.loadLayersModel('file://.../model.json')` reads them). */
export interface TfjsModelFiles {
  'model.json': string;
  'weights.bin': Uint8Array;
}

/** Saves a spec with trained weights (tfjs layout) in tfjs's format, whichever engine trained it. */
export async function tfjsModelFiles(spec: ModelSpec, weights: Float32Array[]): Promise<TfjsModelFiles> {
  // After an onnx run no backend was loaded: production mode keeps tfjs's "install tfjs-node" banner off stderr.
  tf.enableProdMode();
  const built = buildTfModel(spec, 0);
  writeWeights(built, weights);
  const { model } = built;
  let files: TfjsModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, weightSpecs, ...rest } = artifacts;
      const data = weightData instanceof ArrayBuffer ? new Uint8Array(weightData) : new Uint8Array(await new Blob(([] as ArrayBuffer[]).concat(weightData ?? [])).arrayBuffer());
      const json = { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }] };
      files = { 'model.json': JSON.stringify(json), 'weights.bin': data };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return files!;
}
