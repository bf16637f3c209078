import type { GraphBuilder } from './graph.js';
import type { Activation } from '../../model/spec.js';
import { lossHead, smoothingClasses, type LossSpec } from '../loss.js';

/** The output activation each loss is fused with (the loss works on logits for stability). */
export const lossActivation = (loss: LossSpec): Activation => lossHead(loss);

export interface LoweredLoss {
  loss: string;
  predictions: string;
  dLogits: string;
}

/**
 * tfjs's fit with class weights: loss = mean_i(w_i * loss_i) over the batch (not normalised by sum(w)).
 * BCE's per-sample loss is the mean over units; CCE's is the sum over classes. tfjs clips probabilities to
 * [1e-7, 1 - 1e-7] before the log; this logit form equals it wherever that clip is inactive (|logit| < ~16).
 * Label smoothing changes the target only; each gradient below holds for soft targets.
 */
export function lowerLoss(g: GraphBuilder, loss: LossSpec, logits: string, batch: number, units: number, hardTarget: string, sampleWeights: string): LoweredLoss {
  const w = g.reshape(sampleWeights, [batch, 1]);
  const s = loss.label_smoothing;
  const target = s > 0 ? g.add(g.mul(hardTarget, g.scalar(1 - s)), g.scalar(s / smoothingClasses(units))) : hardTarget;
  let perSample: string;
  let predictions: string;
  let dLogits: string;
  if (loss.name === 'binary_crossentropy' || loss.name === 'focal') {
    // max(z,0) - z*t + log(1 + exp(-|z|)) == sigmoidCrossEntropyWithLogits; d/dz = sigmoid(z) - t.
    const bce = g.add(g.sub(g.op('Relu', [logits]), g.mul(logits, target)), g.op('Softplus', [g.op('Neg', [g.op('Abs', [logits])])]));
    predictions = g.op('Sigmoid', [logits]);
    let elem = bce;
    let dElem = g.sub(predictions, target);
    if (loss.name === 'focal') ({ elem, dElem } = lowerFocal(g, loss, bce, dElem, predictions, target));
    perSample = g.reduceMean(elem, [1], true);
    dLogits = g.mul(dElem, g.mul(w, g.scalar(1 / (batch * units))));
  } else if (loss.name === 'categorical_focal') {
    const focal = lowerCategoricalFocal(g, loss, logits, target);
    ({ perSample, predictions } = focal);
    dLogits = g.mul(focal.dLogits, g.mul(w, g.scalar(1 / batch)));
  } else {
    const logSoftmax = g.op('LogSoftmax', [logits], { axis: 1 });
    perSample = g.op('Neg', [g.reduceSum(g.mul(target, logSoftmax), [1], true)]);
    predictions = g.op('Exp', [logSoftmax]);
    // d/dz of -sum(t*log softmax(z)) = softmax(z) * sum(t) - t.
    const grad = g.sub(g.mul(predictions, g.reduceSum(target, [1], true)), target);
    dLogits = g.mul(grad, g.mul(w, g.scalar(1 / batch)));
  }
  return { loss: g.reduceMean(g.mul(perSample, w), [0, 1], false), predictions, dLogits };
}

/**
 * Focal loss per element, L = a * (1 - p_t)^gamma * bce with p_t = t p + (1 - t)(1 - p), and its
 * derivative in the logit z: dL/dz = a [(1 - p_t)^gamma (p - t) - gamma (1 - p_t)^(gamma - 1) (2t - 1) p (1 - p) bce].
 */
function lowerFocal(g: GraphBuilder, loss: Extract<LossSpec, { name: 'focal' }>, bce: string, dBce: string, p: string, t: string): { elem: string; dElem: string } {
  const one = g.scalar(1);
  const pt = g.add(g.mul(t, p), g.mul(g.sub(one, t), g.sub(one, p)));
  // 1 - p_t is 0 only where the sigmoid saturates; the floor keeps (1 - p_t)^(gamma - 1) finite there.
  const q = g.op('Max', [g.sub(one, pt), g.scalar(1e-12)]);
  const factor = g.op('Pow', [q, g.scalar(loss.gamma)]);
  const dFactor = g.mul(
    g.mul(g.scalar(-loss.gamma), g.op('Pow', [q, g.scalar(loss.gamma - 1)])),
    g.mul(g.sub(g.mul(g.scalar(2), t), one), g.mul(p, g.sub(one, p))),
  );
  let elem = g.mul(factor, bce);
  let dElem = g.add(g.mul(factor, dBce), g.mul(dFactor, bce));
  if (loss.alpha !== undefined) {
    const a = g.add(g.mul(t, g.scalar(loss.alpha)), g.mul(g.sub(one, t), g.scalar(1 - loss.alpha)));
    elem = g.mul(a, elem);
    dElem = g.mul(a, dElem);
  }
  return { elem, dElem };
}

/**
 * Categorical focal loss per sample, L = -a sum_k t_k (1 - p_k)^gamma log p_k with p = softmax(z), and
 * dL/dz: with g_k = p_k dL/dp_k = -a t_k [(1 - p_k)^gamma - gamma (1 - p_k)^(gamma - 1) p_k log p_k],
 * dL/dz_j = g_j - p_j sum_k g_k (the softmax Jacobian).
 */
function lowerCategoricalFocal(g: GraphBuilder, loss: Extract<LossSpec, { name: 'categorical_focal' }>, logits: string, t: string): { perSample: string; predictions: string; dLogits: string } {
  const a = g.scalar(-(loss.alpha ?? 1));
  const logp = g.op('LogSoftmax', [logits], { axis: 1 });
  const p = g.op('Exp', [logp]);
  // 1 - p_k is 0 only where the softmax saturates; the floor keeps (1 - p_k)^(gamma - 1) finite there.
  const q = g.op('Max', [g.sub(g.scalar(1), p), g.scalar(1e-12)]);
  const factor = g.op('Pow', [q, g.scalar(loss.gamma)]);
  const perSample = g.reduceSum(g.mul(a, g.mul(t, g.mul(factor, logp))), [1], true);
  const inner = g.sub(factor, g.mul(g.mul(g.scalar(loss.gamma), g.op('Pow', [q, g.scalar(loss.gamma - 1)])), g.mul(p, logp)));
  const gk = g.mul(a, g.mul(t, inner));
  return { perSample, predictions: p, dLogits: g.sub(gk, g.mul(p, g.reduceSum(gk, [1], true))) };
}
