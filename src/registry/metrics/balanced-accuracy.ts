import { metric } from './metric.js';

export const balancedAccuracy = metric({
  name: 'balanced_accuracy',
  summary: 'mean recall over the classes: unaffected by class imbalance',
  perClass: false,
  direction: 'higher',
  ci: 'bootstrap',
  uses: ['target', 'threshold'],
  compute: (m) => m.balancedAccuracy,
});
