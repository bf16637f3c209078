import type { GraphBuilder } from './graph.js';
import type { Activation } from '../../model/spec.js';

export type LossName = 'binary_crossentropy' | 'categorical_crossentropy';

/** The output activation each loss is fused with (the loss works on logits for stability). */
export const LOSS_ACTIVATION: Record<LossName, Activation> = {
  binary_crossentropy: 'sigmoid',
  categorical_crossentropy: 'softmax',
};

export interface LoweredLoss {
  loss: string;
  predictions: string;
  dLogits: string;
}

/**
 * tfjs's fit with class weights: loss = mean_i(w_i * loss_i) over the batch (not normalised by sum(w)).
 * BCE's per-sample loss is the mean over units; CCE's is the sum over classes. tfjs clips probabilities to
 * [1e-7, 1 - 1e-7] before the log; this logit form equals it wherever that clip is inactive (|logit| < ~16).
 */
export function lowerLoss(g: GraphBuilder, loss: LossName, logits: string, batch: number, units: number, target: string, sampleWeights: string): LoweredLoss {
  const w = g.reshape(sampleWeights, [batch, 1]);
  let perSample: string;
  let predictions: string;
  let dLogits: string;
  if (loss === 'binary_crossentropy') {
    // max(z,0) - z*t + log(1 + exp(-|z|)) == sigmoidCrossEntropyWithLogits; d/dz = sigmoid(z) - t.
    const elem = g.add(g.sub(g.op('Relu', [logits]), g.mul(logits, target)), g.op('Softplus', [g.op('Neg', [g.op('Abs', [logits])])]));
    perSample = g.reduceMean(elem, [1], true);
    predictions = g.op('Sigmoid', [logits]);
    dLogits = g.mul(g.sub(predictions, target), g.mul(w, g.scalar(1 / (batch * units))));
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
