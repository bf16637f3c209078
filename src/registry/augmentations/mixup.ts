import { beta } from '../../data/distributions.js';
import { component } from '../component.js';
import { Params } from '../params.js';
import { probabilityParam, type AugmentationComponent } from './augmentation.js';
import { alphaParam, mixTargets, partners } from './mix.js';

export const mixup: AugmentationComponent = component({
  name: 'mixup',
  summary: 'batch-level: each image becomes lambda * itself + (1 - lambda) * another of the batch, targets and class weights alike (Zhang et al.)',
  params: Params({ alpha: alphaParam(0.2), p: probabilityParam() }),
  create: (p) => ({
    mixBatch(batch, random) {
      if (random() >= p.p) return;
      // One lambda per batch, as timm's default.
      const lambda = beta(p.alpha, p.alpha, random);
      const partner = partners(batch.n, random);
      const { x, n } = batch;
      const size = x.length / n;
      const x0 = x.slice();
      for (let i = 0; i < n; i++) {
        const a = i * size;
        const b = partner[i]! * size;
        for (let k = 0; k < size; k++) x[a + k] = lambda * x0[a + k]! + (1 - lambda) * x0[b + k]!;
      }
      mixTargets(batch, partner, Array(n).fill(lambda));
    },
  }),
});
