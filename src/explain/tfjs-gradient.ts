import * as tf from '@tensorflow/tfjs';
// Registers exp's hard_sigmoid/hard_swish layer, which a saved model may name.
import '../engine/tfjs/hard-activation.js';
import type { ExplainedLayer, GradientSource } from './explainer.js';
import { ExplainError } from './errors.js';
import type { FeatureGradient } from './grad-cam.js';
import { headOfUnits, isHeadActivation } from '../model/head.js';

const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D']);

const activationOf = (layer: tf.layers.Layer): string | undefined => (layer.getConfig() as { activation?: string }).activation;

/**
 * Gradients from the run's tfjs model (model/model.json + weights.bin, which exp logs for every
 * run whichever engine trained it): the model is split at a spatial layer into a body (image ->
 * feature map) and a head (feature map -> class score), and tf.grad differentiates the head.
 * The score is the output layer's pre-activation value (the logit), as Grad-CAM prescribes:
 * differentiating the probability instead multiplies by sigmoid'(z), which is 0 in float32 for
 * a confident prediction and would leave an empty map.
 */
export class TfjsGradient implements GradientSource {
  /** the backend tf.grad runs on, e.g. `tfjs (wasm)` */
  get engine(): string {
    return `tfjs (${tf.getBackend()})`;
  }

  private constructor(
    private readonly model: tf.LayersModel,
    /** the model's layers after its input layer */
    private readonly layers: tf.layers.Layer[],
    private readonly split: number,
    readonly layer: ExplainedLayer,
  ) {}

  /** `layer`: a layer's name in model.json or its 1-based position; default the last spatial layer before any pooling. */
  static async load(modelJson: string, weights: Uint8Array, layer?: string): Promise<TfjsGradient> {
    const json = JSON.parse(modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((m) => m.weights), weightData: data }));
    try {
      const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
      // The split applies the layers in turn: right for a stack, not for a graph (sums, gates, shortcuts).
      const stack = layers.every((l, i) => {
        const inbound = l.inboundNodes[0]?.inboundLayers ?? [];
        return inbound.length === 1 && inbound[0] === (i === 0 ? model.layers[0] : layers[i - 1]);
      });
      if (!stack) throw new ExplainError(`the run's tfjs model is a graph, which Grad-CAM differentiates on ONNX Runtime from the run's model/spec.json; this run was logged before exp wrote one`);
      const split = chooseLayer(layers, layer);
      const output = layers.at(-1)!;
      const activation = activationOf(output);
      if (output.getClassName() !== 'Dense' || !isHeadActivation(activation)) {
        throw new ExplainError(`the model ends in ${output.getClassName()} (${activation ?? 'no activation'}), not a sigmoid or softmax dense layer: no class score to explain`);
      }
      return new TfjsGradient(model, layers, split, { position: split + 1, name: layers[split]!.name, className: layers[split]!.getClassName() });
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** The feature map for one HWC image and the gradient of class `classIndex`'s score with respect to it. */
  mapAndGradient(pixels: Float32Array, shape: readonly [number, number, number], classIndex: number): FeatureGradient {
    const layers = this.layers;
    const out = tf.tidy(() => {
      let map = tf.tensor4d(pixels, [1, ...shape]);
      for (const l of layers.slice(0, this.split + 1)) map = l.apply(map, { training: false }) as tf.Tensor4D;
      const score = (m: tf.Tensor): tf.Scalar => {
        let x: tf.Tensor = m;
        for (const l of layers.slice(this.split + 1, -1)) x = l.apply(x, { training: false }) as tf.Tensor;
        const dense = layers.at(-1)!;
        const [kernel, bias] = dense.getWeights();
        let logits = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
        if (bias) logits = tf.add(logits, bias);
        // One sigmoid unit is the positive class's logit z; the negative class's is -z.
        if (logits.shape[1] === 1) return (classIndex === headOfUnits(1).positive ? logits : tf.neg(logits)).sum();
        return logits.slice([0, classIndex], [1, 1]).sum();
      };
      return [map, tf.grad(score)(map)] as const;
    });
    const [map, gradient] = out;
    const [, h, w, k] = map.shape as [number, number, number, number];
    const result = { activations: map.dataSync() as Float32Array, gradient: gradient.dataSync() as Float32Array, shape: [h, w, k] as [number, number, number] };
    tf.dispose([map, gradient]);
    return result;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Layers whose output is a spatial feature map [batch, height, width, channels]. */
function spatialLayers(layers: readonly tf.layers.Layer[]): ExplainedLayer[] {
  return layers.flatMap((l, i) => (!Array.isArray(l.outputShape[0]) && l.outputShape.length === 4 ? [{ position: i + 1, name: l.name, className: l.getClassName() }] : []));
}

/** The index of the layer to split at: the named one, else the last spatial layer, stepping back over pooling. */
function chooseLayer(layers: readonly tf.layers.Layer[], wanted: string | undefined): number {
  // The head needs at least the output layer after the split, so the last layer never qualifies.
  const usable = spatialLayers(layers).filter((s) => s.position < layers.length);
  if (usable.length === 0) throw new ExplainError('the model has no spatial feature map (no layer outputs [height, width, channels]) to explain');
  if (wanted === undefined) {
    let pick = usable.at(-1)!;
    // A trailing pooling layer only coarsens the previous map: Grad-CAM on the layer before it is sharper.
    for (let i = usable.length - 1; i > 0 && POOLING.has(usable[i]!.className) && usable[i - 1]!.position === usable[i]!.position - 1; i--) pick = usable[i - 1]!;
    return pick.position - 1;
  }
  const found = usable.find((s) => s.name === wanted || String(s.position) === wanted);
  if (!found) {
    const list = usable.map((s) => `${s.position} ${s.name} (${s.className})`).join(', ');
    throw new ExplainError(`no spatial layer '${wanted}' in the model; name one of: ${list}`);
  }
  return found.position - 1;
}
