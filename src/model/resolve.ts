import { checkSchema } from '../config/ajv.js';
import { IssueCollector } from '../config/collector.js';
import { ConfigError } from '../config/issues.js';
import type { ValidatedExperiment } from '../config/validate.js';
import type { LayerEntry } from '../registry/architectures/architecture.js';
import { layers } from '../registry/layers/index.js';
import { toPair } from '../registry/params.js';
import { headFor, isHeadActivation } from './head.js';
import { MODEL_INPUT, type ModelNode, type ModelSpec } from './spec.js';


function bodyEntries(exp: ValidatedExperiment, classes: number): LayerEntry[] {
  const { model } = exp.config;
  const arch = model.layers ? exp.inlineModel! : exp.architectures.get(model.architecture!);
  return arch.create(structuredClone(model.params ?? {}), { classes });
}

/**
 * Layer entries as graph nodes, their params' defaults filled in by each layer's schema. An
 * entry without an id is named by its type and place and takes the entry before it.
 */
export function layerNodes(entries: LayerEntry[]): ModelNode[] {
  const issues = new IssueCollector([]);
  const nodes: ModelNode[] = [];
  entries.forEach(({ layer, params, id, inputs, where }, i) => {
    const component = layers.get(layer);
    // Architectures written in TypeScript: a failure here is a bug in one, not user error.
    if (!checkSchema(component.params, params, [layer], issues)) throw new Error(`architecture produced an invalid ${layer} layer: ${issues.issues.map((x) => x.message).join('; ')}`);
    nodes.push({ id: id ?? `${layer}_${i}`, layer: component.create(params, undefined), inputs: inputs ?? [nodes.at(-1)?.id ?? MODEL_INPUT], ...(where ? { where } : {}) });
  });
  return nodes;
}

/**
 * Expands the experiment's model into layer specs and adds the classification head, unless
 * the layers already end in one (a dense sigmoid/softmax layer), which must then fit the
 * class count.
 */
export function resolveModel(exp: ValidatedExperiment, classes: number): ModelSpec {
  const nodes = layerNodes(bodyEntries(exp, classes));
  const last = nodes.at(-1)?.layer;
  const head = headFor(classes).layer;
  if (last?.type === 'dense' && isHeadActivation(last.activation)) {
    if (last.units !== head.units || last.activation !== head.activation) {
      const collector = new IssueCollector([]);
      collector.issues.push({
        message: `the model ends in dense(${last.units}, ${last.activation}), which does not fit ${classes} classes`,
        hints: [`for ${classes} classes the output is dense(${head.units}, ${head.activation}); or leave the output layer out and exp adds it`],
      });
      throw new ConfigError(collector.issues);
    }
  } else {
    nodes.push({ id: 'output', layer: head, inputs: [nodes.at(-1)!.id] });
  }
  const [h, w] = toPair(exp.config.data.image.size);
  return { inputShape: [h, w, exp.config.data.image.channels], nodes };
}
