import { withDefaults } from '../../config/ajv.js';
import { Registry } from '../registry.js';
import { adam } from './adam.js';
import { adamw } from './adamw.js';
import type { OptimizerComponent, OptimizerSpec } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

export type { OptimizerComponent, OptimizerSpec } from './optimizer.js';

export const optimizers = new Registry<OptimizerComponent>('optimizer');
for (const o of [adam, adamw, sgd, rmsprop]) optimizers.register(o);

/** Optimizers the onnx engine implements, for messages. */
export const onnxOptimizers = (): string[] => optimizers.entries().filter((o) => o.onnx).map((o) => o.name);

/** An optimizer from `{name, ...params}` with its schema's defaults filled in (validated configs have them already). */
export function createOptimizer({ name, ...params }: { name: string } & Record<string, unknown>): OptimizerSpec {
  const component = optimizers.get(name);
  return component.create(withDefaults(component.params, params), undefined);
}
