import { metric, trueCount } from './metric.js';

export const recall = metric({
  name: 'recall',
  summary: "every class's recall (the worst one is judged); recall_<CLASS> for one class",
  perClass: true,
  direction: 'higher',
  ci: 'wilson',
  uses: ['target'],
  compute: (m, c) => m.perClass[c]!.recall,
  proportion: (m, c) => [m[c]![c]!, trueCount(m, c)],
});
