import { metric } from './metric.js';

export const macroF1 = metric({
  name: 'macro_f1',
  summary: 'mean F1 over the classes',
  perClass: false,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target', 'threshold'],
  compute: (m) => m.macro.f1,
});
