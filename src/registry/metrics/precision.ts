import { metric, predictedCount } from './metric.js';

export const precision = metric({
  name: 'precision',
  summary: "every class's precision; precision_<CLASS> for one class",
  perClass: true,
  direction: 'higher',
  ci: 'wilson',
  uses: ['target'],
  compute: (m, c) => m.perClass[c]!.precision,
  proportion: (m, c) => [m[c]![c]!, predictedCount(m, c)],
});
