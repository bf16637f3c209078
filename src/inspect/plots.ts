import { previewGridPlot } from '../report/plots/preview-grid.js';
import type { Plot } from '../report/plots/render.js';
import { sizeScatterPlot } from '../report/plots/size-scatter.js';
import type { DataInspection } from './inspect.js';

/** The inspection's two plots, keyed by the file names `exp data inspect` writes. */
export async function inspectionPlots(r: DataInspection, perClass = 6): Promise<{ 'size_scatter.png': Plot; 'preview.png': Plot }> {
  const scatter = await sizeScatterPlot(r.images.map((i) => ({ width: i.width, height: i.height, class: i.class, split: i.split })));
  // Spread the preview over the images (not the first few files, which often come from one source).
  const byClass = r.classes.map((c) => {
    const mine = r.images.filter((i) => i.class === c);
    const step = Math.max(1, Math.floor(mine.length / perClass));
    const picked = mine.filter((_, k) => k % step === 0).slice(0, perClass);
    return { class: c, files: picked.map((i) => ({ path: i.path, caption: `${i.split} ${i.width}x${i.height}` })) };
  });
  const preview = await previewGridPlot({ byClass });
  return { 'size_scatter.png': scatter, 'preview.png': preview };
}
