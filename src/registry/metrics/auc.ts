import { metric } from './metric.js';

export const auc = metric({
  name: 'auc',
  summary: 'ROC-AUC (macro one-vs-rest for more than two classes)',
  perClass: false,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target'],
  compute: (m) => m.auc ?? NaN,
});
