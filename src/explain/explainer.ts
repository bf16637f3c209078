import { classActivationMap, type CamMethod, type ClassActivationMap, type FeatureGradient } from './grad-cam.js';

/** The layer a map is computed at, as `--layer` names it. */
export interface ExplainedLayer {
  /** 1-based position among the model's layers */
  position: number;
  name: string;
  className: string;
}

/**
 * What computes a feature map and the class score's gradient with respect to it. Today that is
 * the run's tfjs model (TfjsGradient, tf.grad); a source built on ONNX graph autodiff plugs in
 * here, and the maps, overlays, `exp predict --explain` and `exp serve` stay as they are.
 */
export interface GradientSource {
  /** which engine computes the gradient, said in outputs so a map can be traced to its method */
  readonly engine: string;
  readonly layer: ExplainedLayer;
  mapAndGradient(pixels: Float32Array, shape: readonly [number, number, number], classIndex: number): FeatureGradient | Promise<FeatureGradient>;
  dispose(): void;
}

export interface Explanation {
  cam: ClassActivationMap;
  /** the class whose score was differentiated */
  classIndex: number;
  layer: ExplainedLayer;
  engine: string;
}

/** A gradient source with the map method: one image and class in, its class activation map out. */
export class Explainer {
  constructor(
    readonly source: GradientSource,
    readonly method: CamMethod = 'gradcam',
  ) {}

  async explain(pixels: Float32Array, shape: readonly [number, number, number], classIndex: number): Promise<Explanation> {
    const fg = await this.source.mapAndGradient(pixels, shape, classIndex);
    return { cam: classActivationMap(fg, this.method), classIndex, layer: this.source.layer, engine: this.source.engine };
  }

  dispose(): void {
    this.source.dispose();
  }
}
