import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { xmlChars } from '../../text/escape.js';

/** A rendered plot: the SVG (embeddable, searchable text) and its PNG rendering. */
export interface Plot {
  svg: string;
  png: Uint8Array;
}

/** The one font installed on every machine exp renders on, so text measures the same everywhere. */
export const FONT = 'DejaVu Sans';

/** Shared look: white background (PNGs are viewed outside the page too), one font, readable sizes. */
const CONFIG = {
  background: 'white',
  font: FONT,
  padding: 12,
  title: { fontSize: 15, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#bbbbbb' },
} as const;

/** PNGs are rasterised at twice the SVG size so they stay sharp on high-density screens. */
export const PNG_SCALE = 2;

/**
 * SVG text to PNG bytes; librsvg (inside sharp) renders it with the installed fonts. `palette`
 * quantises to 256 colours: photos in image grids would otherwise make megabyte PNGs.
 */
export async function svgToPng(svg: string, opts: { scale?: number; palette?: boolean } = {}): Promise<Uint8Array> {
  const scale = opts.scale ?? PNG_SCALE;
  // A control character in a name (a title, a file name) would make librsvg reject the whole SVG.
  const buffer = await sharp(Buffer.from(xmlChars(svg)), { density: 72 * scale }).png({ compressionLevel: 9, palette: opts.palette ?? false }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** vega-lite spec -> vega -> headless SVG -> PNG. Charts are never drawn by hand. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<Plot> {
  const withConfig = { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const { spec: vgSpec } = compile(withConfig);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    const svg = xmlChars(await view.toSVG());
    return { svg, png: await svgToPng(svg) };
  } finally {
    view.finalize();
  }
}

/** Numbers for titles and labels: NaN (an undefined metric) shows as "n/a", not "NaN". */
export const fmt = (value: number, digits = 3): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** "71.6%" */
export const percent = (value: number, digits = 1): string => (Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : 'n/a');
