/**
 * `f` over `items` with at most `limit` calls in flight, results in input order. Bounds open
 * files and buffers: hashing 3,875 files in one Promise.all holds them all open at once.
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
