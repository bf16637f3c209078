import sharp from 'sharp';
import { FONT, svgToPng, type Plot } from './render.js';

/** One image in a grid, with caption lines under it and an optional coloured frame. */
export interface GridCell {
  /** PNG bytes, shown scaled into the tile (aspect kept) */
  png: Uint8Array;
  lines: { text: string; color?: string; bold?: boolean }[];
  /** frame colour; wrong predictions get a thick red one */
  frame?: { color: string; width: number };
}

export interface ImageGridOptions {
  title: string;
  subtitle?: string;
  cells: readonly GridCell[];
  columns: number;
  /** tile side in px */
  tile?: number;
  /** tile width in px, for images wider than tall (default: the side) */
  tileWidth?: number;
  /** optional heading per row (e.g. the class of a preview row), drawn at the row's left */
  rowLabels?: readonly string[];
}

/** Image grids are rasterised at 1.5x (charts at 2x): X-ray tiles are continuous tone and a 2x PNG would weigh a megabyte. */
export const GRID_PNG_SCALE = 1.5;

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Float pixels in [0, 1] (HWC, 1 or 3 channels) as a PNG at their own resolution: the SVG
 * scales it into the tile, so the files stay small and show exactly what the model saw.
 */
export async function pixelsToPng(pixels: Float32Array, height: number, width: number, channels: 1 | 3): Promise<Uint8Array> {
  const bytes = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(pixels[i]! * 255)));
  const out = await sharp(bytes, { raw: { width, height, channels } }).png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** An image file as a PNG scaled to fit `tile` x `tile` (for previews of raw data). */
export async function fileToPng(path: string, tile: number): Promise<Uint8Array> {
  const out = await sharp(path).resize(tile, tile, { fit: 'contain', background: { r: 0, g: 0, b: 0 } }).png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Images are not charts: the grid is an SVG of PNG tiles (data URIs), frames and captions,
 * rasterised by sharp like the charts, so both forms carry the same content.
 */
export async function imageGrid(o: ImageGridOptions): Promise<Plot> {
  const tile = o.tile ?? 150;
  const tileWidth = o.tileWidth ?? tile;
  const gap = 14;
  const lineHeight = 15;
  const fontSize = 11.5;
  const lines = Math.max(0, ...o.cells.map((c) => c.lines.length));
  // Captions may be wider than the image: size columns by the longest (DejaVu Sans is about 0.62 em per character, bold included).
  const textWidth = Math.max(0, ...o.cells.flatMap((c) => c.lines.map((l) => l.text.length * fontSize * (l.bold ? 0.66 : 0.6))));
  const cellW = Math.ceil(Math.max(tileWidth, textWidth)) + gap;
  const cellH = tile + 8 + lines * lineHeight + gap;
  const left = o.rowLabels ? 110 : gap;
  const top = o.subtitle ? 58 : 40;
  const columns = Math.max(1, Math.min(o.columns, o.cells.length || 1));
  const rows = Math.ceil(o.cells.length / columns);
  const width = left + columns * cellW;
  const height = top + rows * cellH + gap;
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${gap}" y="26" font-size="15" font-weight="bold" fill="#000">${escapeXml(o.title)}</text>`,
  ];
  if (o.subtitle) parts.push(`<text x="${gap}" y="46" font-size="12" fill="#555">${escapeXml(o.subtitle)}</text>`);
  o.rowLabels?.forEach((label, r) => {
    parts.push(`<text x="${gap}" y="${top + r * cellH + tile / 2}" font-size="13" font-weight="bold" fill="#222">${escapeXml(label)}</text>`);
  });
  o.cells.forEach((cell, i) => {
    const x = left + (i % columns) * cellW;
    const y = top + Math.floor(i / columns) * cellH;
    const href = `data:image/png;base64,${Buffer.from(cell.png).toString('base64')}`;
    parts.push(`<g class="cell">`);
    parts.push(`<image x="${x}" y="${y}" width="${tileWidth}" height="${tile}" preserveAspectRatio="xMidYMid meet" href="${href}"/>`);
    if (cell.frame) {
      const w = cell.frame.width;
      parts.push(`<rect class="frame" x="${x - w / 2}" y="${y - w / 2}" width="${tileWidth + w}" height="${tile + w}" fill="none" stroke="${cell.frame.color}" stroke-width="${w}"/>`);
    }
    cell.lines.forEach((line, k) => {
      const weight = line.bold ? ' font-weight="bold"' : '';
      parts.push(`<text x="${x}" y="${y + tile + 8 + (k + 1) * lineHeight - 3}" font-size="${fontSize}"${weight} fill="${line.color ?? '#222'}">${escapeXml(line.text)}</text>`);
    });
    parts.push(`</g>`);
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">` +
    parts.join('') +
    `</svg>`;
  return { svg, png: await svgToPng(svg, { scale: GRID_PNG_SCALE, palette: true }) };
}
