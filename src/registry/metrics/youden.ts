import { metric } from './metric.js';

export const youden = metric({
  name: 'youden',
  summary: 'sensitivity + specificity - 1 (Youden index; two classes)',
  perClass: false,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target', 'threshold'],
  compute: (m) => (m.perClass.length === 2 ? m.perClass[0]!.recall + m.perClass[1]!.recall - 1 : NaN),
});
