import { bakedWeights } from '../engine/onnx/initializers.js';
import { loadBackend } from '../engine/tfjs/backend.js';
import { MODEL_ARTIFACT, readArtifactIfAny } from '../predict/load-model.js';
import { MODEL_SPEC_ARTIFACT } from '../runner/record.js';
import { summarize } from '../model/summary.js';
import type { ModelSpec } from '../model/spec.js';
import type { TrackingStore } from '../tracking/index.js';
import { ExplainError } from './errors.js';
import { Explainer } from './explainer.js';
import type { CamMethod } from './grad-cam.js';
import { OnnxGradient } from './onnx-gradient.js';
import { TfjsGradient } from './tfjs-gradient.js';

export const TFJS_MODEL_ARTIFACT = 'model/model.json';
export const TFJS_WEIGHTS_ARTIFACT = 'model/weights.bin';

export interface ExplainOptions {
  /** a node's id or 1-based position (in model.json's names for runs logged without model/spec.json); default the last spatial feature map */
  layer?: string;
  method?: CamMethod;
}

/** The run's model spec as record.ts logged it, checked by computing its shapes. */
function parseSpec(bytes: Uint8Array, runId: string): ModelSpec {
  try {
    const spec = JSON.parse(new TextDecoder().decode(bytes)) as ModelSpec;
    summarize(spec);
    return spec;
  } catch (e) {
    throw new ExplainError(`run ${runId}: ${MODEL_SPEC_ARTIFACT} is not a model exp can read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * The explainer for a run. Runs that logged their model spec are differentiated on ONNX Runtime
 * (the spec, and the weights baked into model/model.onnx); runs logged before that, with their
 * tfjs model (model/model.json + weights.bin) and tf.grad on the best tfjs backend present.
 */
export async function loadExplainer(store: TrackingStore, runId: string, options: ExplainOptions = {}): Promise<Explainer> {
  const [spec, onnx] = await Promise.all([readArtifactIfAny(store, runId, MODEL_SPEC_ARTIFACT), readArtifactIfAny(store, runId, MODEL_ARTIFACT)]);
  if (spec && onnx) {
    const model = parseSpec(spec, runId);
    return new Explainer(await OnnxGradient.create(model, bakedWeights(model, onnx), options.layer), options.method);
  }
  const [json, weights] = await Promise.all([readArtifactIfAny(store, runId, TFJS_MODEL_ARTIFACT), readArtifactIfAny(store, runId, TFJS_WEIGHTS_ARTIFACT)]);
  if (!json || !weights) {
    const missing = [!json && TFJS_MODEL_ARTIFACT, !weights && TFJS_WEIGHTS_ARTIFACT].filter(Boolean).join(' and ');
    throw new ExplainError(`run ${runId} cannot be explained: ${missing} missing (and no ${MODEL_SPEC_ARTIFACT} with model/model.onnx)`);
  }
  await loadBackend('auto');
  const source = await TfjsGradient.load(new TextDecoder().decode(json), weights, options.layer);
  return new Explainer(source, options.method);
}
