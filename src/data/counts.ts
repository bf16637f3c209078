/** Images per class index (for class weights, reports). Labels outside [0, numClasses) are an error. */
export function classCounts(y: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    if (!(label >= 0 && label < numClasses)) throw new RangeError(`label ${label} at ${i} is outside 0..${numClasses - 1}`);
    counts[label] = counts[label] + 1;
  }
  return counts;
}

/** Images per class name, e.g. `{ NORMAL: 1341, PNEUMONIA: 3875 }`. */
export function countsByClass(split: { y: ArrayLike<number> }, classes: string[]): Record<string, number> {
  const counts = classCounts(split.y, classes.length);
  return Object.fromEntries(classes.map((cls, i) => [cls, counts[i]]));
}
