import { ExplainError } from '../explain/errors.js';
import type { Explainer } from '../explain/explainer.js';
import { loadExplainer, type ExplainOptions } from '../explain/load-explainer.js';
import { loadRunModel, type Predictor } from '../predict/load-model.js';
import { VERDICT_TAG } from '../runner/record.js';
import type { ModelSignature } from '../model/signature.js';
import type { Run, TrackingStore } from '../tracking/index.js';

/** A run's model as the server holds it: loaded once, with what `GET /model` tells about it. */
export interface ServedModel {
  runId: string;
  run: Run;
  signature: ModelSignature;
  model: Predictor;
  /** absent when the model cannot be explained (`explainProblem` says why); predictions still work */
  explainer?: Explainer;
  explainProblem?: string;
}

export async function loadServedModel(store: TrackingStore, runId: string, explain: ExplainOptions = {}): Promise<ServedModel> {
  const { run, signature, model } = await loadRunModel(store, runId);
  try {
    return { runId, run, signature, model, explainer: await loadExplainer(store, runId, explain) };
  } catch (e) {
    // A model without a spatial layer (a dense-only model) still classifies; only ?explain=1 is refused.
    if (e instanceof ExplainError && explain.layer === undefined) return { runId, run, signature, model, explainProblem: e.message };
    await model.release();
    throw e;
  }
}

/** `GET /model`: the run, its classes and input, the threshold, its test metrics (no interval bounds) and verdict. */
export function modelInfo(m: ServedModel): Record<string, unknown> {
  const { info, data } = m.run;
  const [height, width, channels] = m.signature.input.shape;
  const metrics = Object.fromEntries(Object.entries(data.metrics).filter(([k]) => k.startsWith('test_') && !/_ci_(low|high)$/.test(k)).sort(([a], [b]) => a.localeCompare(b)));
  const targets = Object.fromEntries(Object.entries(data.tags).flatMap(([k, v]) => (k.startsWith('exp.target.') ? [[k.slice('exp.target.'.length), v]] : [])));
  return {
    run_id: m.runId,
    run_name: info.runName,
    status: info.status,
    classes: m.signature.classes,
    positive: m.signature.positive,
    input: { height, width, channels, resize: m.signature.input.resize, scale: m.signature.input.scale },
    threshold: m.signature.threshold,
    metrics,
    verdict: data.tags[VERDICT_TAG] ?? null,
    targets,
    explain: m.explainer
      ? { method: m.explainer.method, layer: m.explainer.source.layer.name, layer_position: m.explainer.source.layer.position, gradient_engine: m.explainer.source.engine }
      : { unavailable: m.explainProblem ?? 'no explainer' },
  };
}
