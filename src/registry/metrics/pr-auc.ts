import { metric } from './metric.js';

export const prAuc = metric({
  name: 'pr_auc',
  summary: 'average precision (area under the precision-recall curve)',
  perClass: false,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target'],
  compute: (m) => m.prAuc ?? NaN,
});
