import type { Experiment } from '../config/schema.js';
import { headFor } from './head.js';
import type { ModelSpec } from './spec.js';

interface SignatureBody {
  input: { shape: [number, number, number]; layout: 'NHWC'; dtype: 'float32'; channels: 1 | 3; resize: 'fill'; scale: '[0, 1]' };
  output: { activation: 'sigmoid' | 'softmax'; units: number };
  classes: string[];
  /** With two classes, p(positive) >= threshold means the positive (second) class. */
  positive: string | null;
  threshold: number | null;
  /** evaluate.tta as the run used it: exp predict averages over the same views. Absent in older signatures: none. */
  tta?: unknown[];
}

/**
 * What a consumer of the saved model needs to feed it and read its output exactly as exp did.
 * Format 2 adds the temperature of a calibrated run: the model's outputs are rescaled by it
 * (applyTemperature) before the threshold applies. A calibrated model is format 2 so that an
 * exp unable to apply the temperature refuses it rather than mispredicting.
 */
export type ModelSignature = SignatureBody & ({ format: 'exp-model-signature/1'; temperature?: undefined } | { format: 'exp-model-signature/2'; temperature: number });

export function modelSignature(model: ModelSpec, config: Experiment, classes: string[], threshold: number | null, temperature: number | null = null): ModelSignature {
  const head = headFor(classes.length);
  const body: SignatureBody = {
    input: { shape: model.inputShape, layout: 'NHWC', dtype: 'float32', channels: config.data.image.channels, resize: 'fill', scale: '[0, 1]' },
    output: { activation: head.activation, units: head.units },
    classes,
    positive: head.positive === null ? null : classes[head.positive]!,
    threshold,
    tta: config.evaluate.tta,
  };
  return temperature === null ? { format: 'exp-model-signature/1', ...body } : { format: 'exp-model-signature/2', ...body, temperature };
}
