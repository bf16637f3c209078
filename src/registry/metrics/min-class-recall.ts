import { metric } from './metric.js';

export const minClassRecall = metric({
  name: 'min_class_recall',
  summary: 'the lowest recall of any class',
  perClass: false,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target', 'threshold'],
  compute: (m) => Math.min(...m.perClass.map((c) => c.recall)),
});
