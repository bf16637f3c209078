import { loadBackend } from '../engine/tfjs/backend.js';
import { readArtifactIfAny } from '../predict/load-model.js';
import type { TrackingStore } from '../tracking/index.js';
import { ExplainError } from './errors.js';
import { Explainer } from './explainer.js';
import type { CamMethod } from './grad-cam.js';
import { TfjsGradient } from './tfjs-gradient.js';

export const TFJS_MODEL_ARTIFACT = 'model/model.json';
export const TFJS_WEIGHTS_ARTIFACT = 'model/weights.bin';

export interface ExplainOptions {
  /** a layer's name in model.json or its 1-based position; default the last spatial feature map */
  layer?: string;
  method?: CamMethod;
}

/**
 * The explainer for a run: its logged tfjs model (every run logs one, whichever engine trained
 * it) on the best tfjs backend present (WebAssembly here), differentiated with tf.grad.
 */
export async function loadExplainer(store: TrackingStore, runId: string, options: ExplainOptions = {}): Promise<Explainer> {
  const [json, weights] = await Promise.all([readArtifactIfAny(store, runId, TFJS_MODEL_ARTIFACT), readArtifactIfAny(store, runId, TFJS_WEIGHTS_ARTIFACT)]);
  if (!json || !weights) {
    const missing = [!json && TFJS_MODEL_ARTIFACT, !weights && TFJS_WEIGHTS_ARTIFACT].filter(Boolean).join(' and ');
    throw new ExplainError(`run ${runId} cannot be explained: ${missing} missing (Grad-CAM differentiates the run's tfjs model)`);
  }
  await loadBackend('auto');
  const source = await TfjsGradient.load(new TextDecoder().decode(json), weights, options.layer);
  return new Explainer(source, options.method);
}
