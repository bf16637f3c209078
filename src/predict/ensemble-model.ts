import type { ModelSignature } from '../model/signature.js';
import { predictViews, ttaViewsOf } from '../train/tta.js';
import type { OnnxModel } from './session.js';

/** Several logged models as one (an `exp ensemble` run): the mean of their probabilities, each with its own test-time views. */
export class EnsembleModel {
  constructor(private readonly members: { model: OnnxModel; signature: ModelSignature }[]) {}

  async predict(x: Float32Array, n: number, shape: readonly [number, number, number]): Promise<Float32Array[]> {
    const sum: Float64Array[] = [];
    for (const { model, signature } of this.members) {
      const units = signature.output.units;
      const flat = async (images: Float32Array, m: number): Promise<Float32Array> => {
        const out = new Float32Array(m * units);
        (await model.predict(images, m, shape)).forEach((r, i) => out.set(r, i * units));
        return out;
      };
      const p = await predictViews(flat, x, n, shape, ttaViewsOf(signature.tta ?? []));
      for (let i = 0; i < n; i++) {
        const row = (sum[i] ??= new Float64Array(units));
        for (let k = 0; k < units; k++) row[k] = row[k]! + p[i * units + k]!;
      }
    }
    return sum.map((row) => Float32Array.from(row, (v) => v / this.members.length));
  }

  async release(): Promise<void> {
    await Promise.all(this.members.map((m) => m.model.release()));
  }
}
