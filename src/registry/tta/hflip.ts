import { component } from '../component.js';
import { Params } from '../params.js';
import { flipInPlace } from '../augmentations/flip.js';
import type { TtaComponent } from './view.js';

export const hflip: TtaComponent = component({
  name: 'hflip',
  summary: 'the image mirrored left-right (one view; not for chest X-rays, where the heart changes side)',
  params: Params({}),
  create: () => [(image) => flipInPlace(image, true)],
});
