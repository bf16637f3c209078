import { decodeImage } from '../data/index.js';
import type { ModelSignature } from '../runner/signature.js';
import { interpretOutput, type ClassScore } from './interpret.js';
import { predictViews, ttaViewsOf } from '../train/tta.js';
import type { OnnxModel } from './session.js';

export interface FilePrediction extends ClassScore {
  file: string;
}

export interface UnreadableFile {
  file: string;
  error: string;
}

/**
 * Decodes each file exactly as training did (src/data decodeImage: resize 'fill' to the
 * signature's size, its channel count, scaled to [0, 1]) and scores it. Files that cannot be
 * decoded are reported, not fatal: one bad file should not hide the other answers.
 */
export async function predictFiles(
  model: Pick<OnnxModel, 'predict'>,
  signature: ModelSignature,
  files: readonly string[],
  batchSize = 32,
): Promise<{ predictions: FilePrediction[]; unreadable: UnreadableFile[] }> {
  const [height, width, channels] = signature.input.shape;
  const per = height * width * channels;
  const predictions: FilePrediction[] = [];
  const unreadable: UnreadableFile[] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    const decoded = await Promise.all(
      batch.map(async (file) => {
        try {
          return { file, pixels: await decodeImage(file, { size: [height, width], channels: signature.input.channels }) };
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
    const flat = (async (images: Float32Array, n: number) => {
      const rows = await model.predict(images, n, [height, width, channels]);
      const out = new Float32Array(n * units);
      rows.forEach((r, i) => out.set(r, i * units));
      return out;
    });
    const probabilities = await predictViews(flat, x, ok.length, [height, width, channels], ttaViewsOf(signature.tta ?? []));
    ok.forEach((d, i) => predictions.push({ file: d.file, ...interpretOutput(probabilities.subarray(i * units, (i + 1) * units), signature) }));
  }
  return { predictions, unreadable };
}
