import { beta } from '../../data/distributions.js';
import { component } from '../component.js';
import { Params } from '../params.js';
import { probabilityParam, type AugmentationComponent } from './augmentation.js';
import { alphaParam, mixTargets, partners } from './mix.js';

export const cutmix: AugmentationComponent = component({
  name: 'cutmix',
  summary: "batch-level: pastes a box of another image of the batch into each image; targets and class weights mix by the box's share of the area (Yun et al.)",
  params: Params({ alpha: alphaParam(1), p: probabilityParam() }),
  create: (p) => ({
    mixBatch(batch, random) {
      if (random() >= p.p) return;
      const { x, n, image } = batch;
      const { height: h, width: w, channels: ch } = image;
      const lambda = beta(p.alpha, p.alpha, random);
      const bh = Math.round(h * Math.sqrt(1 - lambda));
      const bw = Math.round(w * Math.sqrt(1 - lambda));
      // A box centred anywhere, clipped at the edges (as the paper's reference code).
      const cy = Math.floor(random() * h);
      const cx = Math.floor(random() * w);
      const [y0, y1] = [Math.max(0, cy - Math.floor(bh / 2)), Math.min(h, cy + Math.ceil(bh / 2))];
      const [x0, x1] = [Math.max(0, cx - Math.floor(bw / 2)), Math.min(w, cx + Math.ceil(bw / 2))];
      const partner = partners(n, random);
      const size = h * w * ch;
      const source = x.slice();
      for (let i = 0; i < n; i++) {
        for (let y = y0; y < y1; y++) {
          const row = (y * w + x0) * ch;
          x.set(source.subarray(partner[i]! * size + row, partner[i]! * size + (y * w + x1) * ch), i * size + row);
        }
      }
      // The share each image keeps of itself, from the box as clipped.
      const kept = 1 - ((y1 - y0) * (x1 - x0)) / (h * w);
      mixTargets(batch, partner, Array(n).fill(kept));
    },
  }),
});
