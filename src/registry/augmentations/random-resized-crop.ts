import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { resampleAffine } from './affine.js';
import { probabilityParam, type AugmentationComponent } from './augmentation.js';

const Range = (lo: number, hi: number, fallback: [number, number], description: string) =>
  Type.Tuple([Type.Number({ exclusiveMinimum: lo, maximum: hi }), Type.Number({ exclusiveMinimum: lo, maximum: hi })], { default: fallback, description });

export const randomResizedCrop: AugmentationComponent = component({
  name: 'random_resized_crop',
  summary: "crops a random box (a share of the area in `scale`, aspect in `ratio`) and resizes it back to the image size (torchvision's RandomResizedCrop)",
  params: Params({
    // Milder than torchvision's (0.08, 1): a chest X-ray cropped to 8% may not show the lungs at all.
    scale: Range(0, 1, [0.7, 1], '[min, max] share of the image area the crop covers'),
    ratio: Range(0, 10, [3 / 4, 4 / 3], '[min, max] width/height of the crop, drawn log-uniformly'),
    p: probabilityParam(),
  }),
  create: (p) => (image, random) => {
    if (random() >= p.p) return;
    const { width: w, height: h } = image;
    const area = p.scale[0] + random() * (p.scale[1] - p.scale[0]);
    const logRatio = Math.log(p.ratio[0]) + random() * (Math.log(p.ratio[1]) - Math.log(p.ratio[0]));
    const aspect = Math.exp(logRatio);
    // Crop size as fractions of the width and height, at most the whole image.
    const fw = Math.min(1, Math.sqrt(area * aspect));
    const fh = Math.min(1, Math.sqrt(area / aspect));
    // The crop's centre, offset from the image's, anywhere that keeps it inside.
    const ox = (random() - 0.5) * (1 - fw) * w;
    const oy = (random() - 0.5) * (1 - fh) * h;
    resampleAffine(image, [fw, 0, 0, fh], ox, oy);
  },
});
