import { metric } from './metric.js';

export const ece = metric({
  name: 'ece',
  summary: "expected calibration error: |accuracy - confidence| over 10 equal-width bins of the top class's probability, weighted by the bins' images",
  perClass: false,
  direction: 'lower',
  ci: 'bootstrap',
  uses: ['target'],
  compute: (m) => m.ece ?? NaN,
});
