/**
 * The point of a curve (by descending threshold, "score >= threshold is positive") where a
 * decision threshold operates: the last point whose threshold is still >= it, i.e. the one
 * that counts exactly the scores at or above the threshold as positive.
 */
export function operatingPoint<P extends { threshold: number }>(points: readonly P[], threshold: number): P | undefined {
  let found: P | undefined;
  for (const p of points) {
    // The first point's threshold is +Infinity (null once it went through JSON).
    const t: number | null = p.threshold;
    if (t === null || t >= threshold) found = p;
  }
  return found;
}
