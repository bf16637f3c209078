import { metric } from './metric.js';

export const brier = metric({
  name: 'brier',
  summary: 'Brier score: mean squared error of p(positive) with two classes; with more, the multi-class Brier (squared errors summed over the classes, averaged over images)',
  perClass: false,
  direction: 'lower',
  ci: 'bootstrap',
  uses: ['target'],
  compute: (m) => m.brier ?? NaN,
});
