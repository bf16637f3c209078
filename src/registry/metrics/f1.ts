import { metric } from './metric.js';

export const f1 = metric({
  name: 'f1',
  summary: "every class's F1 as a target; the positive class's F1 as a threshold objective",
  perClass: true,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target', 'threshold'],
  compute: (m, c) => m.perClass[c]!.f1,
});
