import { decodeImage, sourceName, type DecodeLimits, type ImageSource } from '../data/index.js';
import type { Explainer, Explanation } from '../explain/explainer.js';
import type { ModelSignature } from '../model/signature.js';
import { interpretOutput, type ClassScore } from './interpret.js';
import { predictViews, ttaViewsOf } from '../train/tta.js';
import type { OnnxModel } from './session.js';

export interface FilePrediction extends ClassScore {
  /** the file's path, or an upload's name */
  file: string;
  /** the map of the predicted class, when an explainer was given */
  explanation?: Explanation;
}

export interface UnreadableFile {
  file: string;
  error: string;
}

export interface PredictOptions {
  batchSize?: number;
  /** explain each prediction (Grad-CAM of the predicted class) */
  explainer?: Explainer;
  limits?: DecodeLimits;
}

/**
 * Decodes each image exactly as training did (src/data decodeImage: resize 'fill' to the
 * signature's size, its channel count, scaled to [0, 1]) and scores it. Files and uploads go
 * through this one path, so `exp serve` answers what `exp predict` does. Images that cannot be
 * decoded are reported, not fatal: one bad file should not hide the other answers.
 */
export async function predictFiles(
  model: Pick<OnnxModel, 'predict'>,
  signature: ModelSignature,
  sources: readonly ImageSource[],
  options: PredictOptions = {},
): Promise<{ predictions: FilePrediction[]; unreadable: UnreadableFile[] }> {
  const batchSize = options.batchSize ?? 32;
  const shape = signature.input.shape;
  const [height, width, channels] = shape;
  const per = height * width * channels;
  const predictions: FilePrediction[] = [];
  const unreadable: UnreadableFile[] = [];
  for (let start = 0; start < sources.length; start += batchSize) {
    const batch = sources.slice(start, start + batchSize);
    const decoded = await Promise.all(
      batch.map(async (source) => {
        const file = sourceName(source);
        try {
          return { file, pixels: await decodeImage(source, { size: [height, width], channels: signature.input.channels }, options.limits) };
        } catch (e) {
          unreadable.push({ file, error: e instanceof Error ? e.message : String(e) });
          return undefined;
        }
      }),
    );
    const ok = decoded.filter((d) => d !== undefined);
    if (ok.length === 0) continue;
    const x = new Float32Array(ok.length * per);
    ok.forEach((d, i) => x.set(d.pixels, i * per));
    // The run's test-time views, if it used any: the probabilities it was evaluated with.
    const units = signature.output.units;
    const flat = async (images: Float32Array, n: number): Promise<Float32Array> => {
      const rows = await model.predict(images, n, shape);
      const out = new Float32Array(n * units);
      rows.forEach((r, i) => out.set(r, i * units));
      return out;
    };
    const probabilities = await predictViews(flat, x, ok.length, shape, ttaViewsOf(signature.tta ?? []));
    for (const [i, d] of ok.entries()) {
      const score = interpretOutput(probabilities.subarray(i * units, (i + 1) * units), signature);
      const explanation = options.explainer ? await options.explainer.explain(d.pixels, shape, score.index) : undefined;
      predictions.push({ file: d.file, ...score, ...(explanation ? { explanation } : {}) });
    }
  }
  return { predictions, unreadable };
}
