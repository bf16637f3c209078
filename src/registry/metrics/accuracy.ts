import { metric, total } from './metric.js';

export const accuracy = metric({
  name: 'accuracy',
  summary: 'share of images classified correctly',
  perClass: false,
  direction: 'higher',
  ci: 'wilson',
  uses: ['target', 'threshold', 'epoch'],
  compute: (m) => m.accuracy,
  proportion: (c) => [c.reduce((a, row, i) => a + row[i]!, 0), total(c)],
});
