import type { ModelSignature } from '../runner/signature.js';
import type { FilePrediction, UnreadableFile } from './predict-files.js';

/** One line per file, aligned: `<file>  <CLASS>  <probability>%`, then the decision rule used. */
export function formatPredictions(predictions: readonly FilePrediction[], signature: ModelSignature): string {
  const width = Math.max(0, ...predictions.map((p) => p.file.length));
  const labelWidth = Math.max(...signature.classes.map((c) => c.length));
  const lines = predictions.map((p) => `${p.file.padEnd(width)}  ${p.label.padEnd(labelWidth)}  ${(p.probability * 100).toFixed(1).padStart(5)}%`);
  const rule =
    signature.classes.length === 2
      ? `${signature.classes[1]} when p(${signature.classes[1]}) >= ${Number((signature.threshold ?? 0.5).toFixed(4))}${signature.threshold === null ? ' (default; the run chose none)' : ' (the run\'s threshold)'}`
      : 'the most probable class';
  const calibrated = signature.temperature === undefined ? '' : `; probabilities calibrated with the run's temperature ${Number(signature.temperature.toFixed(4))}`;
  return `${lines.join('\n')}\n(${predictions.length} image${predictions.length === 1 ? '' : 's'}; class: ${rule}${calibrated})`;
}

/** The JSON scripts read: one object per file, plus unreadable files and the decision rule. */
export function predictionsJson(runId: string, predictions: readonly FilePrediction[], unreadable: readonly UnreadableFile[], signature: ModelSignature): string {
  return JSON.stringify(
    {
      run_id: runId,
      classes: signature.classes,
      threshold: signature.threshold,
      temperature: signature.temperature ?? null,
      predictions: predictions.map((p) => ({
        file: p.file,
        class: p.label,
        probability: p.probability,
        probabilities: Object.fromEntries(signature.classes.map((c, k) => [c, p.probabilities[k]])),
      })),
      unreadable,
    },
    null,
    2,
  );
}
