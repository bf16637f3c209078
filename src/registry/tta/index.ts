import { Registry } from '../registry.js';
import { hflip } from './hflip.js';
import { rotate } from './rotate.js';
import { shift } from './shift.js';
import type { TtaComponent } from './view.js';
import { zoom } from './zoom.js';

export type { TtaComponent, View } from './view.js';

export const ttaViews = new Registry<TtaComponent>('tta view');
for (const v of [hflip, shift, zoom, rotate]) ttaViews.register(v);
