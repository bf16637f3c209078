// The benchmark trains the shipped architectures, built from the registry with their default
// params (bench/pytorch_cnn.py mirrors them layer for layer).
import { checkSchema } from '../src/config/ajv.js';
import { IssueCollector } from '../src/config/collector.js';
import { headFor } from '../src/model/head.js';
import { layerNodes } from '../src/model/resolve.js';
import { chain, type ModelSpec } from '../src/model/spec.js';
import { builtinArchitectures } from '../src/registry/index.js';

const withDefaults = (schema: Parameters<typeof checkSchema>[0]): Record<string, unknown> => {
  const params: Record<string, unknown> = {};
  if (!checkSchema(schema, params, [], new IssueCollector([]))) throw new Error('a default params object does not validate');
  return params;
};

export function benchModel(name: string, size: number): ModelSpec {
  const arch = builtinArchitectures().get(name);
  const body = layerNodes(arch.create(withDefaults(arch.params), { classes: 2 })).map((n) => n.layer);
  return chain([size, size, 1], [...body, headFor(2).layer]);
}
