import { metric } from './metric.js';

export const loss = metric({
  name: 'loss',
  summary: 'the training loss (cross-entropy), per epoch on train and validation',
  perClass: false,
  direction: 'lower',
  ci: 'none',
  uses: ['epoch'],
  // Only the training loop measures it; evaluation does not.
  compute: () => NaN,
});
