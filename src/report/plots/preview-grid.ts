import sharp from 'sharp';
import { fileToPng, imageGrid, type GridCell } from './image-grid.js';
import type { Plot } from './render.js';

export interface PreviewData {
  /** class -> image files to show (a few each) */
  byClass: readonly { class: string; files: readonly { path: string; caption: string }[] }[];
  title?: string;
}

/** A few images per class, one row per class, each captioned (e.g. with its split and size). */
export async function previewGridPlot(data: PreviewData): Promise<Plot> {
  const columns = Math.max(1, ...data.byClass.map((c) => c.files.length));
  const tile = 130;
  const blank = await fileBlank(tile);
  const cells: GridCell[] = [];
  for (const group of data.byClass) {
    for (let i = 0; i < columns; i++) {
      const f = group.files[i];
      // Short rows are padded with blank tiles so that every class starts a new row.
      if (!f) cells.push({ png: blank, lines: [] });
      else cells.push({ png: await fileToPng(f.path, tile).catch(() => blank), lines: [{ text: f.caption }] });
    }
  }
  return imageGrid({
    title: data.title ?? 'Preview: a few images per class',
    cells,
    columns,
    tile,
    rowLabels: data.byClass.map((c) => c.class),
  });
}

/** A white tile for the empty places of a short row. */
async function fileBlank(tile: number): Promise<Uint8Array> {
  const out = await sharp({ create: { width: tile, height: tile, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
