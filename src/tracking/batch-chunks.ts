/** Splits a log-batch into requests the MLflow server accepts. */
import type { Metric } from './store.js';

/** The server refuses bigger batches with a 400. */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

export interface BatchChunk {
  metrics: Metric[];
  params: Record<string, string>;
  tags: Record<string, string>;
}

type Kind = keyof BatchChunk;

/**
 * Packs items into as few chunks as the limits allow, never putting one key twice into a chunk
 * (the server refuses that even for equal values). Successive points of one metric land in
 * successive chunks, so sending the chunks in order keeps each history in order.
 */
export function chunkBatch(batch: Partial<BatchChunk>): BatchChunk[] {
  const chunks: BatchChunk[] = [];
  const sizes: number[] = [];
  const firstWithRoom: Record<Kind, number> = { metrics: 0, params: 0, tags: 0 };
  const hasRoom = (i: number, kind: Kind): boolean => {
    const chunk = chunks[i];
    if (!chunk) return true;
    const count = kind === 'metrics' ? chunk.metrics.length : Object.keys(chunk[kind]).length;
    return sizes[i]! < BATCH_LIMITS.total && count < BATCH_LIMITS[kind];
  };
  /** Index of the first chunk at or after `from` with room for one more item of `kind`. */
  const place = (kind: Kind, from = 0): number => {
    while (!hasRoom(firstWithRoom[kind], kind)) firstWithRoom[kind]++;
    let i = Math.max(from, firstWithRoom[kind]);
    while (!hasRoom(i, kind)) i++;
    if (i === chunks.length) {
      chunks.push({ metrics: [], params: {}, tags: {} });
      sizes.push(0);
    }
    sizes[i]!++;
    return i;
  };

  for (const [key, value] of Object.entries(batch.params ?? {})) chunks[place('params')]!.params[key] = value;
  for (const [key, value] of Object.entries(batch.tags ?? {})) chunks[place('tags')]!.tags[key] = value;
  // Longest histories first: they need one chunk per point, and the rest fill in around them.
  const byKey = new Map<string, Metric[]>();
  for (const m of batch.metrics ?? []) {
    const history = byKey.get(m.key);
    if (history) history.push(m);
    else byKey.set(m.key, [m]);
  }
  for (const history of [...byKey.values()].sort((a, b) => b.length - a.length)) {
    let from = 0;
    for (const m of history) {
      const i = place('metrics', from);
      chunks[i]!.metrics.push(m);
      from = i + 1;
    }
  }
  return chunks;
}
