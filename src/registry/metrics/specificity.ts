import { metric, predictedCount, total, trueCount } from './metric.js';

export const specificity = metric({
  name: 'specificity',
  summary: "every class's specificity; specificity_<CLASS> for one class",
  perClass: true,
  direction: 'higher',
  ci: 'wilson',
  uses: ['target'],
  compute: (m, c) => m.perClass[c]!.specificity,
  // TN of all images not of class c.
  proportion: (m, c) => {
    const negatives = total(m) - trueCount(m, c);
    const fp = predictedCount(m, c) - m[c]![c]!;
    return [negatives - fp, negatives];
  },
});
