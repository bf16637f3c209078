/**
 * Class activation maps from a feature map and the class score's gradient with respect to it.
 * Engine-neutral: whatever computed the gradient (tfjs's tf.grad today, see tfjs-gradient.ts;
 * ONNX graph autodiff later) hands over two HWC arrays, and the map is computed here alone.
 */

export const CAM_METHODS = ['gradcam', 'gradcam++'] as const;
export type CamMethod = (typeof CAM_METHODS)[number];

/** A feature map A[h, w, k] (one image, HWC) and dScore/dA of the same shape. */
export interface FeatureGradient {
  activations: Float32Array;
  gradient: Float32Array;
  /** [height, width, channels] of both */
  shape: [number, number, number];
}

/** A map over the feature map's grid, scaled to [0, 1] (all zeros when nothing raises the class score). */
export interface ClassActivationMap {
  values: Float32Array;
  /** [height, width] of the feature map the values lie on */
  shape: [number, number];
  method: CamMethod;
  /** no position raised the class score: the map is all zeros and shows nothing */
  empty: boolean;
}

/**
 * Grad-CAM (Selvaraju et al. 2017): each channel weighs by its gradient averaged over the
 * grid, alpha_k = mean_ij dS/dA_ijk. Grad-CAM++ (Chattopadhay et al. 2018) weighs each
 * position's positive gradient by alpha_ijk = g^2 / (2 g^2 + sum_ab A_abk g^3), the closed form
 * for an exponential score that pytorch-grad-cam uses too. Either way
 * map_ij = ReLU(sum_k w_k A_ijk), divided by its maximum.
 */
function channelWeights({ activations: a, gradient: g, shape: [h, w, k] }: FeatureGradient, method: CamMethod): Float64Array {
  const positions = h * w;
  const weights = new Float64Array(k);
  if (method === 'gradcam') {
    for (let p = 0; p < positions; p++) for (let c = 0; c < k; c++) weights[c]! += g[p * k + c]!;
    for (let c = 0; c < k; c++) weights[c]! /= positions;
    return weights;
  }
  const sumA = new Float64Array(k);
  for (let p = 0; p < positions; p++) for (let c = 0; c < k; c++) sumA[c]! += a[p * k + c]!;
  for (let p = 0; p < positions; p++) {
    for (let c = 0; c < k; c++) {
      const gi = g[p * k + c]!;
      if (gi <= 0) continue; // ReLU(g); alpha is 0 where g is 0
      const g2 = gi * gi;
      weights[c]! += gi * (g2 / (2 * g2 + sumA[c]! * g2 * gi + 1e-7));
    }
  }
  return weights;
}

export function classActivationMap(fg: FeatureGradient, method: CamMethod = 'gradcam'): ClassActivationMap {
  const [h, w, k] = fg.shape;
  if (fg.activations.length !== h * w * k || fg.gradient.length !== h * w * k) {
    throw new Error(`feature map and gradient must both hold ${h}x${w}x${k} values, got ${fg.activations.length} and ${fg.gradient.length}`);
  }
  const weights = channelWeights(fg, method);
  const values = new Float32Array(h * w);
  let max = 0;
  for (let p = 0; p < h * w; p++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += weights[c]! * fg.activations[p * k + c]!;
    values[p] = Math.max(0, sum);
    if (values[p]! > max) max = values[p]!;
  }
  if (max > 0) for (let p = 0; p < values.length; p++) values[p]! /= max;
  return { values, shape: [h, w], method, empty: max === 0 };
}

/** Where the map is highest, as [row, column] on its own grid. */
export function mapPeak(cam: ClassActivationMap): [number, number] {
  let best = 0;
  for (let p = 1; p < cam.values.length; p++) if (cam.values[p]! > cam.values[best]!) best = p;
  return [Math.floor(best / cam.shape[1]), best % cam.shape[1]];
}
