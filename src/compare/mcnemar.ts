/**
 * McNemar's exact test: the two-sided binomial test (p = 1/2) on the discordant pairs, `b`
 * images only the first model gets right and `c` only the second. p = min(1, 2 P(X <= min(b, c)))
 * for X ~ Binomial(b + c, 1/2), as scipy's binomtest and statsmodels' mcnemar(exact=True)
 * give it; 1 when there are no discordant pairs.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  // In logs: C(n, k) / 2^n underflows for a few thousand images.
  const logFactorial = [0];
  for (let i = 1; i <= n; i++) logFactorial.push(logFactorial[i - 1]! + Math.log(i));
  let tail = 0;
  for (let k = 0; k <= Math.min(b, c); k++) tail += Math.exp(logFactorial[n]! - logFactorial[k]! - logFactorial[n - k]! - n * Math.LN2);
  return Math.min(1, 2 * tail);
}
