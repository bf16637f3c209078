import type { Experiment } from '../config/schema.js';
import { headFor } from '../model/head.js';
import type { ModelSpec } from '../model/spec.js';

/** What a consumer of the saved model needs to feed it and read its output exactly as exp did. */
export interface ModelSignature {
  format: 'exp-model-signature/1';
  input: { shape: [number, number, number]; layout: 'NHWC'; dtype: 'float32'; channels: 1 | 3; resize: 'fill'; scale: '[0, 1]' };
  output: { activation: 'sigmoid' | 'softmax'; units: number };
  classes: string[];
  /** With two classes, p(positive) >= threshold means the positive (second) class. */
  positive: string | null;
  threshold: number | null;
}

export function modelSignature(model: ModelSpec, config: Experiment, classes: string[], threshold: number | null): ModelSignature {
  const head = headFor(classes.length);
  return {
    format: 'exp-model-signature/1',
    input: { shape: model.inputShape, layout: 'NHWC', dtype: 'float32', channels: config.data.image.channels, resize: 'fill', scale: '[0, 1]' },
    output: { activation: head.activation, units: head.units },
    classes,
    positive: head.positive === null ? null : classes[head.positive]!,
    threshold,
  };
}
