import * as ort from 'onnxruntime-node';
import { buildGradCamGraph, GRAD_CAM_IO } from '../engine/onnx/grad-cam-graph.js';
import { summarize } from '../model/summary.js';
import type { ModelSpec } from '../model/spec.js';
import { ExplainError } from './errors.js';
import type { ExplainedLayer, GradientSource } from './explainer.js';
import type { FeatureGradient } from './grad-cam.js';

const POOLING = new Set(['maxpool', 'avgpool']);

/**
 * Gradients from the model's spec and weights on ONNX Runtime, no tfjs involved: one graph
 * (src/engine/onnx/grad-cam-graph.ts) gives the chosen node's feature map and the class logit's
 * gradient with respect to it, differentiated by the onnx engine's backward pass.
 */
export class OnnxGradient implements GradientSource {
  readonly engine = 'onnx (onnxruntime)';

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly units: number,
    private readonly mapShape: [number, number, number],
    readonly layer: ExplainedLayer,
  ) {}

  /** `layer`: a node's id or 1-based position; default the last spatial feature map, stepping back over a trailing pool. */
  static async create(spec: ModelSpec, weights: readonly Float32Array[], layer?: string): Promise<OnnxGradient> {
    const chosen = chooseNode(spec, layer);
    const last = spec.nodes.at(-1)!.layer;
    if (last.type !== 'dense' || (last.activation !== 'sigmoid' && last.activation !== 'softmax')) {
      throw new ExplainError(`the model ends in ${last.type}, not a sigmoid or softmax dense layer: no class score to explain`);
    }
    const graph = buildGradCamGraph(spec, weights, chosen.name);
    // One thread, as the prediction model: `exp serve` runs requests side by side.
    const session = await ort.InferenceSession.create(graph.model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    return new OnnxGradient(session, last.units, graph.mapShape, chosen);
  }

  async mapAndGradient(pixels: Float32Array, shape: readonly [number, number, number], classIndex: number): Promise<FeatureGradient> {
    const selector = new Float32Array(this.units);
    // One sigmoid unit is the positive class's logit z; the negative class's is -z.
    if (this.units === 1) selector[0] = classIndex === 1 ? 1 : -1;
    else selector[classIndex] = 1;
    const out = await this.session.run({
      [GRAD_CAM_IO.x]: new ort.Tensor('float32', pixels, [1, ...shape]),
      [GRAD_CAM_IO.selector]: new ort.Tensor('float32', selector, [1, this.units]),
    });
    const data = (name: string): Float32Array => out[name]!.data as Float32Array;
    return { activations: data(GRAD_CAM_IO.featureMap), gradient: data(GRAD_CAM_IO.gradient), shape: [...this.mapShape] };
  }

  dispose(): void {
    void this.session.release();
  }
}

/** The node to explain at: the named one (id or position), else the last with a spatial output, stepping back over pooling. */
function chooseNode(spec: ModelSpec, wanted: string | undefined): ExplainedLayer {
  const shapes = summarize(spec).layers;
  // The class score needs the output node after the map, so the last node never qualifies.
  const usable: ExplainedLayer[] = spec.nodes.flatMap((n, i) => (i < spec.nodes.length - 1 && shapes[i]!.outputShape.length === 3 ? [{ position: i + 1, name: n.id, className: n.layer.type }] : []));
  if (usable.length === 0) throw new ExplainError('the model has no spatial feature map (no layer outputs [height, width, channels]) to explain');
  if (wanted === undefined) {
    let pick = usable.at(-1)!;
    // A trailing pooling layer only coarsens the map it pools: Grad-CAM on that map is sharper.
    for (;;) {
      const input = spec.nodes[pick.position - 1]!.inputs[0];
      const before = usable.find((u) => u.name === input);
      if (!POOLING.has(pick.className) || !before) return pick;
      pick = before;
    }
  }
  const found = usable.find((s) => s.name === wanted || String(s.position) === wanted);
  if (!found) {
    const list = usable.map((s) => `${s.position} ${s.name} (${s.className})`).join(', ');
    throw new ExplainError(`no spatial layer '${wanted}' in the model; name one of: ${list}`);
  }
  return found;
}
