import { headFor } from '../model/head.js';
import { ttaViewsOf } from '../train/tta.js';
import type { ModelSignature } from '../model/signature.js';

/**
 * Checks a signature.json read from a run: exp reads only the format it writes, so a model
 * from another tool or a future version fails here with a reason rather than mispredicting.
 * Returns the list of problems (empty when usable).
 */
export function signatureProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['signature.json is not a JSON object'];
  const s = value as Partial<Record<keyof ModelSignature, unknown>>;
  const problems: string[] = [];
  if (s.format !== 'exp-model-signature/1' && s.format !== 'exp-model-signature/2') {
    problems.push(`unknown signature format ${JSON.stringify(s.format)} (expected "exp-model-signature/1" or "/2")`);
  }
  const temperature = s.temperature;
  if (s.format === 'exp-model-signature/2' && !(typeof temperature === 'number' && temperature > 0 && Number.isFinite(temperature))) {
    problems.push(`temperature must be a positive number, got ${JSON.stringify(temperature)}`);
  }
  const input = s.input as Partial<ModelSignature['input']> | undefined;
  const shape = input?.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) problems.push('input.shape must be [height, width, channels]');
  if (input?.channels !== 1 && input?.channels !== 3) problems.push(`input.channels must be 1 or 3, got ${JSON.stringify(input?.channels)}`);
  else if (Array.isArray(shape) && shape[2] !== input.channels) problems.push(`input.shape has ${String(shape[2])} channels but input.channels is ${input.channels}`);
  if (input?.layout !== 'NHWC') problems.push(`input.layout must be NHWC, got ${JSON.stringify(input?.layout)}`);
  if (input?.resize !== 'fill' || input?.scale !== '[0, 1]') problems.push('only resize "fill" and scale "[0, 1]" preprocessing is supported');
  const classes = s.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) problems.push('classes must list at least two class names');
  const output = s.output as Partial<ModelSignature['output']> | undefined;
  if (Array.isArray(classes)) {
    const expected = headFor(classes.length);
    if (output?.activation !== expected.activation || output?.units !== expected.units) {
      problems.push(`output must be ${expected.activation} with ${expected.units} unit(s) for ${classes.length} classes, got ${JSON.stringify(output)}`);
    }
  }
  const t = s.threshold;
  if (t !== null && t !== undefined && !(typeof t === 'number' && t >= 0 && t <= 1)) problems.push(`threshold must be a number in [0, 1] or null, got ${JSON.stringify(t)}`);
  if (s.tta !== undefined) {
    if (!Array.isArray(s.tta)) problems.push('tta must be a list of test-time views');
    else {
      try {
        ttaViewsOf(s.tta);
      } catch (e) {
        problems.push(`tta: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return problems;
}
