import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Explanation } from './explainer.js';
import { overlayPng, readOriginal } from './overlay.js';

/**
 * One PNG name per image file: `<name>.<method>.png`, and `<name>-2.<method>.png`... when files
 * of one name come from several folders, so no overlay overwrites another.
 */
export function heatmapFileNames(files: readonly string[], method: string): string[] {
  const used = new Set<string>();
  return files.map((file) => {
    const stem = path.basename(file, path.extname(file));
    let name = `${stem}.${method}.png`;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}.${method}.png`;
    used.add(name);
    return name;
  });
}

/** Writes each explained file's overlay (the original image with its map) into `outDir`; returns the paths, in order. */
export async function writeHeatmaps(items: readonly { file: string; explanation: Explanation }[], outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const names = heatmapFileNames(
    items.map((i) => i.file),
    items[0]?.explanation.cam.method ?? 'gradcam',
  );
  const written: string[] = [];
  for (const [i, item] of items.entries()) {
    const out = path.join(outDir, names[i]!);
    await writeFile(out, await overlayPng(await readOriginal(item.file), item.explanation.cam));
    written.push(out);
  }
  return written;
}
