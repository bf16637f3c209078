import * as ort from 'onnxruntime-node';

/** An ONNX inference model: NHWC float32 in, [n, units] probabilities out. */
export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** [height, width, channels] the graph declares (dims it leaves symbolic are null) */
    readonly inputShape: (number | null)[],
    readonly outputUnits: number | null,
  ) {}

  static async load(bytes: Uint8Array): Promise<OnnxModel> {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const dims = (meta: ort.InferenceSession.ValueMetadata | undefined): (number | null)[] =>
      meta?.isTensor ? meta.shape.map((d) => (typeof d === 'number' ? d : null)) : [];
    const input = dims(session.inputMetadata[0]);
    const output = dims(session.outputMetadata[0]);
    return new OnnxModel(session, input.slice(1), output.length === 2 ? (output[1] ?? null) : null);
  }

  /** Outputs for `n` images packed NHWC in `x`, in batches (bounded memory for big folders). */
  async predict(x: Float32Array, n: number, shape: readonly [number, number, number], batchSize = 64): Promise<Float32Array[]> {
    const per = shape[0] * shape[1] * shape[2];
    const rows: Float32Array[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const feed = new ort.Tensor('float32', x.slice(start * per, (start + m) * per), [m, ...shape]);
      const result = await this.session.run({ [this.session.inputNames[0]!]: feed });
      const out = result[this.session.outputNames[0]!]!.data as Float32Array;
      const units = out.length / m;
      for (let i = 0; i < m; i++) rows.push(out.slice(i * units, (i + 1) * units));
    }
    return rows;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
