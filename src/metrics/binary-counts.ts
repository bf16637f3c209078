/**
 * Confusion counts of a score-vs-threshold rule (score >= t -> positive) at
 * every distinct score t, highest first. Samples with equal scores enter
 * together, which is what makes ties one step of the ROC and PR curves.
 * Shared by the curves and the threshold search.
 */
export interface BinaryCounts {
  /** distinct scores, descending */
  thresholds: number[];
  /** tp[i] = positives with score >= thresholds[i] */
  tp: number[];
  /** fp[i] = negatives with score >= thresholds[i] */
  fp: number[];
  positives: number;
  negatives: number;
}

/** isPositive[i] says whether sample i belongs to the positive class. */
export function binaryCounts(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): BinaryCounts {
  if (scores.length !== isPositive.length) {
    throw new Error(`got ${scores.length} scores for ${isPositive.length} labels`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const out: BinaryCounts = { thresholds: [], tp: [], fp: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  order.forEach((idx, j) => {
    if (isPositive[idx]) tp++;
    else fp++;
    // Emit once per run of equal scores, after its last member.
    const next = order[j + 1];
    if (next === undefined || scores[next] !== scores[idx]) {
      out.thresholds.push(scores[idx]);
      out.tp.push(tp);
      out.fp.push(fp);
    }
  });
  out.positives = tp;
  out.negatives = fp;
  return out;
}
