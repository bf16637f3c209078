import type { Split } from '../data/index.js';
import { classProbabilities, decideClass } from '../model/head.js';
import { dataRelative } from './split-manifest.js';

/** The run artifact with every validation and test image's prediction, for error analysis. */
export const PREDICTIONS_ARTIFACT = 'predictions.csv';

const cell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * One row per image: its file (relative to the data folder), split, true and predicted class
 * and each class's probability. The predicted class follows the run's rule: p(positive) >=
 * threshold with two classes (one sigmoid output), the most probable class otherwise.
 */
export function predictionsCsv(o: {
  dataDir: string;
  classes: readonly string[];
  threshold: number | null;
  splits: readonly { name: 'validation' | 'test'; split: Pick<Split, 'files' | 'y' | 'count'>; outputs: Float32Array }[];
}): string {
  const header = ['file', 'split', 'true_class', 'predicted_class', ...o.classes.map((c) => `p_${c}`)];
  const rows = [header.map(cell).join(',')];
  for (const { name, split, outputs } of o.splits) {
    const units = split.count ? outputs.length / split.count : 0;
    for (let i = 0; i < split.count; i++) {
      const out = outputs.subarray(i * units, (i + 1) * units);
      const p = classProbabilities(out);
      const predicted = decideClass(out, o.threshold);
      const file = dataRelative(o.dataDir, split.files[i]!);
      rows.push([cell(file), name, cell(o.classes[split.y[i]!]!), cell(o.classes[predicted]!), ...p.map((v) => String(v))].join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}
