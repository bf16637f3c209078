import { PER_CLASS_TARGET_METRICS, SCALAR_TARGET_METRICS } from '../../metrics/targets.js';
import { THRESHOLD_OBJECTIVES } from '../../metrics/threshold.js';
import { Params } from '../params.js';
import { Registry, type Entry } from '../registry.js';

/** A metric experiments can name: in `targets` (judged on test) and/or as `evaluate.threshold.maximize`. */
export interface MetricEntry extends Entry {
  uses: ('target' | 'threshold')[];
}

const SUMMARIES: Record<string, string> = {
  accuracy: 'share of images classified correctly',
  balanced_accuracy: 'mean recall over the classes: unaffected by class imbalance',
  auc: 'ROC-AUC (macro one-vs-rest for more than two classes)',
  pr_auc: 'average precision (area under the precision-recall curve)',
  recall: "every class's recall (the worst one is judged); recall_<CLASS> for one class",
  precision: "every class's precision; precision_<CLASS> for one class",
  f1: "every class's F1 as a target; the positive class's F1 as a threshold objective",
  specificity: "every class's specificity; specificity_<CLASS> for one class",
  macro_f1: 'mean F1 over the classes',
  youden: 'sensitivity + specificity - 1 (Youden index)',
  min_class_recall: 'the lowest recall of any class',
};

export const metrics = new Registry<MetricEntry>('metric');
for (const name of new Set<string>([...SCALAR_TARGET_METRICS, ...PER_CLASS_TARGET_METRICS, ...THRESHOLD_OBJECTIVES])) {
  const uses: MetricEntry['uses'] = [];
  if ((SCALAR_TARGET_METRICS as readonly string[]).includes(name) || (PER_CLASS_TARGET_METRICS as readonly string[]).includes(name)) uses.push('target');
  if ((THRESHOLD_OBJECTIVES as readonly string[]).includes(name)) uses.push('threshold');
  metrics.register({ name, summary: `${SUMMARIES[name] ?? name} [${uses.join(', ')}]`, params: Params({}), uses });
}
