import type { Explanation } from '../explain/explainer.js';
import { headFor } from '../model/head.js';
import type { ModelSignature } from '../model/signature.js';
import type { FilePrediction, UnreadableFile } from './predict-files.js';

/** How a map was made, in words: method, class, layer and the engine that computed the gradient. */
export function describeExplanation(e: Explanation, signature: ModelSignature): string {
  const method = e.cam.method === 'gradcam' ? 'Grad-CAM' : 'Grad-CAM++';
  return `${method} of ${signature.classes[e.classIndex]} at layer ${e.layer.name} (${e.layer.position}, ${e.cam.shape.join('x')}), gradient by ${e.engine}`;
}

/** How the class is decided, in words: the threshold rule with two classes, else the most probable class. */
export function decisionRule(signature: ModelSignature): string {
  const { positive } = headFor(signature.classes.length);
  return positive !== null
    ? `${signature.classes[positive]} when p(${signature.classes[positive]}) >= ${Number((signature.threshold ?? 0.5).toFixed(4))}${signature.threshold === null ? ' (default; the run chose none)' : " (the run's threshold)"}`
    : 'the most probable class';
}

/**
 * One line per file, aligned: `<file>  <CLASS>  <probability>%`, then the decision rule used;
 * with heatmaps (in prediction order), each line ends with its overlay's path.
 */
export function formatPredictions(predictions: readonly FilePrediction[], signature: ModelSignature, heatmaps: readonly string[] = []): string {
  const width = Math.max(0, ...predictions.map((p) => p.file.length));
  const labelWidth = Math.max(...signature.classes.map((c) => c.length));
  const lines = predictions.map(
    (p, i) => `${p.file.padEnd(width)}  ${p.label.padEnd(labelWidth)}  ${(p.probability * 100).toFixed(1).padStart(5)}%${heatmaps[i] ? `  ${heatmaps[i]}` : ''}`,
  );
  const rule = decisionRule(signature);
  const first = predictions[0]?.explanation;
  const maps = first && heatmaps.length ? `\n(heatmaps: ${describeExplanation(first, signature).replace(/ of \S+ at/, ' of the predicted class at')})` : '';
  const calibrated = signature.temperature === undefined ? '' : `; probabilities calibrated with the run's temperature ${Number(signature.temperature.toFixed(4))}`;
  return `${lines.join('\n')}\n(${predictions.length} image${predictions.length === 1 ? '' : 's'}; class: ${rule}${calibrated})${maps}`;
}

/** The JSON of one explanation, as `exp predict --json` and `exp serve` give it. */
export function explanationJson(e: Explanation, signature: ModelSignature): Record<string, unknown> {
  return {
    method: e.cam.method,
    class: signature.classes[e.classIndex],
    layer: e.layer.name,
    layer_position: e.layer.position,
    map_size: e.cam.shape,
    // an empty map is an answer too: nothing in the image raised the class score at that layer
    empty: e.cam.empty,
    gradient_engine: e.engine,
  };
}

/** The JSON scripts read: one object per file (with its heatmap's path when explained), plus unreadable files and the decision rule. */
export function predictionsJson(runId: string, predictions: readonly FilePrediction[], unreadable: readonly UnreadableFile[], signature: ModelSignature, heatmaps: readonly string[] = []): string {
  return JSON.stringify(
    {
      run_id: runId,
      classes: signature.classes,
      threshold: signature.threshold,
      temperature: signature.temperature ?? null,
      predictions: predictions.map((p, i) => ({
        file: p.file,
        class: p.label,
        probability: p.probability,
        probabilities: Object.fromEntries(signature.classes.map((c, k) => [c, p.probabilities[k]])),
        ...(heatmaps[i] ? { heatmap: heatmaps[i] } : {}),
        ...(p.explanation ? { explanation: explanationJson(p.explanation, signature) } : {}),
      })),
      unreadable,
    },
    null,
    2,
  );
}
