import { displayPath } from '../config/locate.js';
import type { ValidatedExperiment } from '../config/validate.js';
import { formatSummary } from '../model/summary.js';
import { resolveModel } from '../model/resolve.js';
import { optimizers } from '../registry/index.js';
import { lossEntry } from '../registry/losses/index.js';
import { existsSync } from 'node:fs';
import { expectedEngine } from '../engine/capabilities.js';

const describeLoss = (loss: unknown, classes: number): string => {
  const { name, params } = lossEntry(loss, classes);
  return [name, ...Object.entries(params).map(([k, v]) => `${k}=${String(v)}`)].join(' ');
};

const entryNames = (list: unknown[]) => list.map((e) => (typeof e === 'string' ? e : Object.keys(e as object)[0])).join(', ') || 'none';

/** What `exp run` is about to do, resolved: data, classes, model with shapes, training settings. */
export function describePlan(exp: ValidatedExperiment): string {
  const c = exp.config;
  const classes = exp.classes ?? ['(class 1)', '(class 2)'];
  const model = resolveModel(exp, classes.length);
  const threshold = typeof c.evaluate.threshold === 'number' ? String(c.evaluate.threshold) : `chosen on validation, maximizing ${c.evaluate.threshold.maximize} with every class's recall >= ${c.evaluate.threshold.min_class_recall}`;
  const optimizer = Object.entries(c.train.optimizer as Record<string, unknown>).map(([k, v]) => (k === 'name' ? String(v) : `${k}=${String(v)}`)).join(' ');
  return [
    `experiment ${c.experiment} / run ${c.name}  (${displayPath(exp.file)})`,
    `data        ${displayPath(exp.dataDir)}${existsSync(exp.dataDir) ? '' : '  (not found)'}`,
    `classes     ${exp.classes ? exp.classes.join(', ') : 'from the data folder'}`,
    `model       ${c.model.architecture ?? 'layers from the experiment'}`,
    formatSummary(model),
    ...(c.model.pretrained ? [`pretrained  ${displayPath(exp.pretrainedFile ?? c.model.pretrained.from)} (match: ${c.model.pretrained.match})${c.model.pretrained.freeze ? `, frozen up to ${c.model.pretrained.freeze}${c.model.pretrained.unfreeze_after !== undefined ? ` for ${c.model.pretrained.unfreeze_after} epochs` : ''}` : ''}`] : []),
    `augment     ${entryNames(c.augment)}`,
    `class wt    ${typeof c.class_weight === 'string' ? c.class_weight : JSON.stringify(c.class_weight)}`,
    `train       ${c.train.epochs} epochs, batch ${c.train.batch_size}, seed ${c.train.seed}, ${optimizer}, loss ${describeLoss(c.train.loss, classes.length)}`,
    `callbacks   ${entryNames(c.train.callbacks)}`,
    `engine      ${expectedEngine(c.train, optimizers.get(String((c.train.optimizer as { name: string }).name)).onnx)}`,
    `threshold   ${threshold}`,
    `targets     ${Object.entries(c.targets).map(([k, v]) => `${k} ${String(v)}`).join(', ') || 'none'}`,
  ].join('\n');
}
