import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { candidateLarger, lookAlpha, rateAboveBaseline, rateAboveLine, spent } from '../../../shared/domain/analysis/index.js';

/** One bin per distinct value: how raw samples become the counts the rank test reads. */
function bins(x: readonly number[], y: readonly number[]): { cx: number[]; cy: number[] } {
  const values = [...new Set([...x, ...y])].sort((a, b) => a - b);
  return { cx: values.map((v) => x.filter((s) => s === v).length), cy: values.map((v) => y.filter((s) => s === v).length) };
}

describe('Mann–Whitney U over binned samples', () => {
  it("matches R's documented example (?wilcox.test: W = 35; normal approximation with continuity correction p = 0.1223)", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const { cx, cy } = bins(x, y);
    const test = candidateLarger(cx, cy)!;
    expect(test.u).toBe(35);
    // mean 25, variance 10·5·16/12 = 66.67, z = (35 − 25 − 0.5)/8.165 = 1.1635
    expect(test.statistic).toBeCloseTo(1.1635, 3);
    expect(test.pValue).toBeCloseTo(0.1223, 3);
    expect(test.probabilityLarger).toBeCloseTo(0.7, 10);
  });

  it('corrects the variance for ties (worked by hand: x = 1,2,2,3 vs y = 2,3,3,4)', () => {
    const test = candidateLarger([1, 2, 1, 0], [0, 1, 2, 1])!;
    // pairs where x > y: 2>… none; 3>2: 1; ties 2=2: 2 pairs, 3=3: 2 pairs → U = 1 + ½·4 = 3
    expect(test.u).toBe(3);
    // ties: bins of 1, 3, 3, 1 → Σ(t³ − t) = 48; variance = 16/12 · (9 − 48/56) = 10.857
    expect(test.statistic).toBeCloseTo((3 - 8 - 0.5) / Math.sqrt(10.857142857), 6);
  });

  it('U equals a count over every pair, ties ½ (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 40 }), (x, y) => {
        let pairs = 0;
        for (const a of x) for (const b of y) pairs += a > b ? 1 : a === b ? 0.5 : 0;
        const { cx, cy } = bins(x, y);
        expect(candidateLarger(cx, cy)!.u).toBeCloseTo(pairs, 9);
      }),
    );
  });

  it('has no answer for an empty arm, and p = 1 when every value ties', () => {
    expect(candidateLarger([0, 0], [3, 1])).toBeNull();
    expect(candidateLarger([5], [7])!.pValue).toBe(1);
  });
});

describe('proportion tests', () => {
  it('binomial tail: P(X ≥ 3) for Binomial(10, 0.1) = 1 − 0.9298 (textbook table)', () => {
    expect(rateAboveLine({ n: 10, x: 3 }, 0.1).pValue).toBeCloseTo(0.0702, 4);
    expect(rateAboveLine({ n: 10, x: 0 }, 0.1).pValue).toBe(1);
  });

  it('Agresti–Caffo difference, worked by hand: 30/1000 vs 10/1000 gives z = 3.127, p = 0.00088', () => {
    const test = rateAboveBaseline({ n: 1000, x: 30 }, { n: 1000, x: 10 }, 0);
    expect(test.statistic).toBeCloseTo(3.1266, 3);
    expect(test.pValue).toBeCloseTo(0.000884, 5);
  });

  it('a margin makes the same difference less surprising', () => {
    const without = rateAboveBaseline({ n: 1000, x: 30 }, { n: 1000, x: 10 }, 0).pValue;
    expect(rateAboveBaseline({ n: 1000, x: 30 }, { n: 1000, x: 10 }, 0.01).pValue).toBeGreaterThan(without);
  });

  it('stays defined when both arms are clean', () => {
    const test = rateAboveBaseline({ n: 500, x: 0 }, { n: 500, x: 0 }, 0.001);
    expect(Number.isFinite(test.statistic)).toBe(true);
    expect(test.pValue).toBeGreaterThan(0.5);
  });
});

describe('alpha spending over a step', () => {
  const bakeMs = 300_000;
  const horizonMs = 1_800_000;
  it('spends nothing at the start, 80% by the bake time, 95% by the progress deadline, and never all', () => {
    expect(spent(0, bakeMs, horizonMs)).toBe(0);
    expect(spent(bakeMs, bakeMs, horizonMs)).toBeCloseTo(0.8, 12);
    expect(spent(horizonMs, bakeMs, horizonMs)).toBeCloseTo(0.95, 12);
    expect(spent(horizonMs * 2, bakeMs, horizonMs)).toBeCloseTo(0.975, 12);
    expect(spent(horizonMs * 50, bakeMs, horizonMs)).toBeLessThan(1);
  });

  it('a step held past its deadline still has a level to reject at', () => {
    expect(lookAlpha(0.05, { elapsedMs: horizonMs * 3 + 30_000, previousElapsedMs: horizonMs * 3, bakeMs, horizonMs })).toBeGreaterThan(0);
  });

  it('never spends more than alpha, however the looks fall (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 120_000 }), { minLength: 1, maxLength: 80 }), (gaps) => {
        let elapsed = 0;
        let total = 0;
        for (const gap of gaps) {
          const previous = elapsed;
          elapsed += gap;
          const level = lookAlpha(0.05, { elapsedMs: elapsed, previousElapsedMs: previous, bakeMs, horizonMs });
          expect(level).toBeGreaterThanOrEqual(0);
          total += level;
        }
        expect(total).toBeLessThanOrEqual(0.05 + 1e-12);
      }),
    );
  });

  it('gives an early look a usable level (Pocock shape): the first of ten 30 s looks gets more than α/10 × 0.8', () => {
    expect(lookAlpha(0.05, { elapsedMs: 30_000, previousElapsedMs: 0, bakeMs, horizonMs })).toBeGreaterThan(0.004);
  });

  it('a step with no room past its bake time goes straight to the tail', () => {
    expect(spent(bakeMs, bakeMs, bakeMs)).toBeCloseTo(0.8, 12);
    expect(spent(bakeMs * 2, bakeMs, bakeMs)).toBeCloseTo(0.975, 12);
  });
});
