/** McNemar's exact test against scipy's binomial test. */
import { describe, expect, it } from 'vitest';
import { mcnemarExact } from '../../src/compare/mcnemar.js';

describe('mcnemarExact', () => {
  // scipy 1.17.1: binomtest(min(b, c), b + c, 0.5).pvalue, the exact McNemar test
  // (statsmodels' mcnemar(table, exact=True) gives the same).
  it.each([
    [1, 6, 0.125],
    [10, 3, 0.09228515625],
    [25, 15, 0.1538599441628321],
    [59, 32, 0.00610552107452477],
    [0, 5, 0.0625],
    [120, 95, 0.10145232764870649],
    [3, 3, 1],
    [0, 0, 1],
  ])('b = %i, c = %i', (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 12);
    expect(mcnemarExact(c, b)).toBeCloseTo(p, 12);
  });

  it('works in logs: thousands of discordant pairs do not underflow', () => {
    expect(mcnemarExact(2100, 1900)).toBeCloseTo(0.0016492663751357264, 12);
  });
});
