import { describe, expect, it } from 'vitest';
import { errorCeiling, errorRatio } from '../../../shared/domain/analysis/errors.js';
import { latencyCeiling, latencyQuantiles, latencyRank, placeableQuantiles } from '../../../shared/domain/analysis/latency.js';
import { customMetric } from '../../../shared/domain/analysis/custom.js';
import { agreement, binCeiling, binFloor, quantileEstimate, combine, confirmStep, decisive, judge, describeAnalysis, describeMetric, DEFAULT_ANALYSIS, quantileBound, slowerThan, LATENCY_BOUNDS_MS, type Analysis, type ArmFigures, type CheckInput, type MetricResult } from '../../../shared/domain/index.js';

/**
 * Every metric's result, figure by figure: the verdict at and around each boundary, the limit it
 * held the candidate to, the samples, and the words people read. Worked by hand from the rules in
 * docs/analysis.md.
 */
const SLOTS = LATENCY_BOUNDS_MS.length + 1;
const hist = (...bins: [number, number][]): number[] => {
  const h = new Array<number>(SLOTS).fill(0);
  for (const [slot, n] of bins) h[slot] = (h[slot] ?? 0) + n;
  return h;
};
const arm = (requests: number, errors: number, latency: number[] | null = null, p99LatencyMs: number | null = null): ArmFigures => ({ requests, errors, latency, p99LatencyMs });
const input = (candidate: ArmFigures, baseline: ArmFigures | null, alpha = 0.01, minSample = 100): CheckInput => ({ candidate, baseline, alpha, minSample });
const E = DEFAULT_ANALYSIS.errorRatio;
const L = DEFAULT_ANALYSIS.latency;

describe('histogram helpers', () => {
  it('reads bin edges and quantile bounds, and counts only requests certainly slower than a limit', () => {
    expect([binFloor(0), binFloor(1), binFloor(SLOTS - 1)]).toEqual([0, 5, 60_000]);
    expect([binCeiling(0), binCeiling(SLOTS - 2), binCeiling(SLOTS - 1)]).toEqual([5, 60_000, 120_000]);
    const h = hist([0, 50], [2, 45], [5, 5]);
    expect([quantileBound(h, 0.5), quantileBound(h, 0.95), quantileBound(h, 0.96), quantileBound(hist(), 0.5)]).toEqual([5, 25, 250, null]);
    expect(quantileBound(hist([SLOTS - 1, 3]), 0.5)).toBe(120_000);
    expect([slowerThan(h, 10), slowerThan(h, 11), slowerThan(h, 100)]).toEqual([50, 5, 5]);
  });
});

describe('errorRatio', () => {
  it('is not run when disabled or without a baseline', () => {
    expect(errorRatio(input(arm(500, 0), arm(500, 0)), { ...E, enabled: false })).toBeNull();
    expect(errorRatio(input(arm(500, 0), null), E)).toBeNull();
  });

  it('is inconclusive below the minimum sample in either arm, with every figure it has', () => {
    expect(errorRatio(input(arm(99, 50), arm(500, 0)), E)).toEqual({
      metric: 'error-ratio', kind: 'relative', verdict: 'inconclusive', critical: true, weight: 1,
      candidate: 50 / 99, baseline: 0, limit: 0.001, alpha: 0.01, statistic: null, pValue: null,
      samples: { candidate: 99, baseline: 500 }, detail: 'fewer than 100 requests in an arm',
    });
    expect(errorRatio(input(arm(500, 50), arm(99, 0)), E)?.verdict).toBe('inconclusive');
    expect(errorRatio(input(arm(100, 50), arm(100, 0)), E)?.verdict).toBe('fail');
  });

  it('fails when shown above the baseline plus the margin; the margin is the larger of absolute and relative', () => {
    const r = errorRatio(input(arm(2000, 100), arm(2000, 40)), E);
    expect(r).toMatchObject({ verdict: 'fail', candidate: 0.05, baseline: 0.02, limit: 0.03, detail: '5.00% vs baseline 2.00%; allowed +1.00%' });
    expect(r?.pValue).toBeLessThan(0.01);
    expect(errorRatio(input(arm(2000, 100), arm(2000, 40)), { ...E, relativeEffect: 0 })?.limit).toBeCloseTo(0.021, 12);
  });

  it('is marginal when it looks worse than allowed but is not shown, and passes otherwise', () => {
    expect(errorRatio(input(arm(200, 2), arm(200, 0)), E)?.verdict).toBe('marginal');
    expect(errorRatio(input(arm(200, 0), arm(200, 0)), E)).toMatchObject({ verdict: 'pass', detail: '0.00% vs baseline 0.00%; allowed +0.10%' });
    // no difference at a zero margin is not "worse than allowed"
    expect(errorRatio(input(arm(1000, 20), arm(1000, 20)), { ...E, minEffect: 0, relativeEffect: 0 })?.verdict).toBe('pass');
  });
});

describe('errorCeiling', () => {
  it('is inconclusive below the minimum sample, with the line and both arms', () => {
    expect(errorCeiling(input(arm(50, 40), arm(900, 9)), 0.05)).toEqual({
      metric: 'error-ceiling', kind: 'ceiling', verdict: 'inconclusive', critical: true, weight: 1,
      candidate: 0.8, baseline: 0.01, limit: 0.05, alpha: 0.01, statistic: null, pValue: null,
      samples: { candidate: 50, baseline: 900 }, detail: 'fewer than 100 requests',
    });
    expect(errorCeiling(input(arm(50, 40), null), 0.05).samples).toEqual({ candidate: 50, baseline: null });
  });

  it('fails when an exact test shows the rate over the line', () => {
    const r = errorCeiling(input(arm(1000, 100), arm(1000, 0)), 0.05);
    expect(r).toMatchObject({ verdict: 'fail', statistic: 0.1, detail: '10.00% against the 5.00% line' });
    expect(r.pValue).toBeLessThan(1e-6);
  });

  it('holds on a shared cause: the baseline shown over the same line', () => {
    expect(errorCeiling(input(arm(1000, 100), arm(1000, 100)), 0.05)).toMatchObject({ verdict: 'marginal', detail: '10.00% and baseline 10.00% both over the 5.00% line: a shared cause, holding' });
    // a baseline over the line but below the minimum sample is no evidence of a shared cause
    expect(errorCeiling(input(arm(1000, 100), arm(99, 50)), 0.05).verdict).toBe('fail');
    // nor is a baseline at or under it
    expect(errorCeiling(input(arm(1000, 100), arm(1000, 50)), 0.05).verdict).toBe('fail');
    expect(errorCeiling(input(arm(1000, 100), arm(1000, 51)), 0.05).verdict).toBe('marginal');
  });

  it('is marginal over the line but not shown, and passes at or under it', () => {
    expect(errorCeiling(input(arm(200, 12), null), 0.05).verdict).toBe('marginal');
    expect(errorCeiling(input(arm(200, 10), null), 0.05).verdict).toBe('pass');
    expect(errorCeiling(input(arm(200, 0), null), 0.05)).toMatchObject({ verdict: 'pass', pValue: 1, statistic: 0 });
  });
});

describe('quantileEstimate', () => {
  it('reads a quantile linearly inside its bin; the open last bin as its lower edge; nothing from an empty histogram', () => {
    expect(quantileEstimate(hist([0, 50], [1, 50]), 0.5)).toBe(5);
    expect(quantileEstimate(hist([0, 50], [1, 50]), 0.75)).toBe(7.5);
    expect(quantileEstimate(hist([2, 10]), 0.2)).toBe(13);
    expect(quantileEstimate(hist([SLOTS - 1, 3]), 0.9)).toBe(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]);
    expect(quantileEstimate(hist(), 0.5)).toBeNull();
  });
});

describe('latencyRank', () => {
  const fast = (n: number) => hist([1, n]);
  it('is not run when disabled or without the baseline\'s histogram', () => {
    expect(latencyRank(input(arm(500, 0, fast(500)), arm(500, 0, fast(500))), { ...L, enabled: false })).toBeNull();
    expect(latencyRank(input(arm(500, 0, fast(500)), arm(500, 0)), L)).toBeNull();
    expect(latencyRank(input(arm(500, 0, fast(500)), null), L)).toBeNull();
  });

  it('is inconclusive below the minimum sample in either arm', () => {
    expect(latencyRank(input(arm(500, 0, fast(99)), arm(500, 0, fast(500))), L)).toEqual({
      metric: 'latency-rank', kind: 'relative', verdict: 'inconclusive', critical: true, weight: 1,
      candidate: 10, baseline: 10, limit: 0.55, alpha: 0.01, statistic: null, pValue: null,
      samples: { candidate: 99, baseline: 500 }, detail: 'fewer than 100 latencies in an arm',
    });
    expect(latencyRank(input(arm(500, 0, fast(500)), arm(500, 0, fast(99))), L)?.verdict).toBe('inconclusive');
    expect(latencyRank(input(arm(500, 0, fast(100)), arm(500, 0, fast(100))), L)?.verdict).toBe('pass');
  });

  it('fails a shifted distribution, with U and the chance a candidate request is slower', () => {
    const r = latencyRank(input(arm(200, 0, hist([4, 200])), arm(200, 0, hist([2, 200]))), L);
    expect(r).toMatchObject({ verdict: 'fail', candidate: 100, baseline: 25, detail: 'a candidate request is slower than a baseline one 100.0% of the time (U = 40000); 73.3 ms slower at its slowest of p50/p95' });
  });

  it('is marginal when slower often enough but not shown, and passes a shift too small to matter', () => {
    // 60% of the candidate's requests one bin slower (10–25 ms against 25–50 ms), too few to be shown at this level
    expect(latencyRank(input(arm(100, 0, hist([2, 40], [3, 60])), arm(100, 0, hist([2, 60], [3, 40])), 0.001), L)?.verdict).toBe('marginal');
    expect(latencyRank(input(arm(100, 0, hist([2, 40], [3, 60])), arm(100, 0, hist([2, 60], [3, 40])), 0.01), L)?.verdict).toBe('fail');
    // The same share one bin slower down at 5–10 ms: shown, but at most 3.3 ms slower at any judged quantile
    expect(latencyRank(input(arm(100, 0, hist([1, 40], [2, 60])), arm(100, 0, hist([1, 60], [2, 40])), 0.01), L)).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('3.3 ms slower at its slowest of p50/p95') });
    // A process just started beside a warm one: thousands of requests, shown slower, by about a millisecond
    const cold = latencyRank(input(arm(800, 0, hist([0, 500], [1, 300])), arm(800, 0, hist([0, 700], [1, 100]))), L);
    expect(cold).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('1.3 ms slower') });
    expect(cold?.pValue).toBeLessThan(0.0001);
    expect(latencyRank(input(arm(800, 0, hist([0, 500], [1, 300])), arm(800, 0, hist([0, 700], [1, 100]))), { ...L, minShiftMs: 1 })?.verdict).toBe('fail');
    // significant at 10,000 a side but a random request is slower only 52% of the time
    expect(latencyRank(input(arm(10_000, 0, hist([1, 4_800], [2, 5_200])), arm(10_000, 0, hist([1, 5_200], [2, 4_800]))), L)?.verdict).toBe('pass');
  });
  it('measures the shift only at quantiles both arms have five requests beyond: a tail of one request is no shift', () => {
    // The shop's green colour just started: 21 requests, one of them 50–100 ms; its p99 is that one request
    const cold = input(arm(21, 0, hist([0, 14], [1, 6], [4, 1])), arm(180, 0, hist([0, 170], [1, 10])), 0.01, 18);
    const judged = latencyRank(cold, { ...L, minShiftMs: 25 });
    expect(judged?.pValue).toBeLessThan(0.01);
    expect(judged).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('1.1 ms slower at its slowest of p50') });
    // 1,000 requests a side put ten beyond the p99: the same tail, as a share, is a shift there
    const shown = input(arm(1000, 0, hist([0, 667], [1, 286], [4, 47])), arm(1000, 0, hist([0, 944], [1, 56])), 0.01);
    expect(latencyRank(shown, { ...L, minShiftMs: 25 })).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('of p50/p95/p99') });
    expect(placeableQuantiles([0.5, 0.95, 0.99], 21)).toEqual([0.5]);
    expect(placeableQuantiles([0.5, 0.95, 0.99], 100)).toEqual([0.5, 0.95]);
    expect(placeableQuantiles([0.5, 0.95, 0.99], 500)).toEqual([0.5, 0.95, 0.99]);
    expect(placeableQuantiles([0.99], 20)).toEqual([0.5]);
    expect(placeableQuantiles([0.8], 25)).toEqual([0.8]);
    expect(placeableQuantiles([0.8], 24)).toEqual([0.5]);
  });
});

describe('latencyQuantiles', () => {
  it('names each quantile, holds the candidate to the baseline\'s bound × (1 + tolerance)', () => {
    const results = latencyQuantiles(input(arm(1000, 0, hist([1, 1000])), arm(1000, 0, hist([1, 1000]))), { ...L, quantiles: [0.5, 0.999] });
    expect(results.map((r) => [r.metric, r.limit, r.verdict])).toEqual([['latency-p50', 12, 'pass'], ['latency-p99.9', 12, 'pass']]);
    expect(results[0]).toEqual({
      metric: 'latency-p50', kind: 'relative', verdict: 'pass', critical: true, weight: 1, candidate: 10, baseline: 10, limit: 12, alpha: 0.01,
      statistic: 0, pValue: 1, samples: { candidate: 1000, baseline: 1000 }, detail: "0.00% of candidate requests over 12 ms (baseline's p50 × 1.2); 0.00% of baseline's",
    });
  });

  it('fails a tail shown over the limit, holds one over but not shown, and is inconclusive on little data', () => {
    const baseline = arm(1000, 0, hist([1, 1000]));
    expect(latencyQuantiles(input(arm(1000, 0, hist([1, 970], [6, 30])), baseline), L).map((r) => r.verdict)).toEqual(['pass', 'pass', 'fail']);
    expect(latencyQuantiles(input(arm(1000, 0, hist([1, 985], [6, 15])), baseline), L).map((r) => r.verdict)).toEqual(['pass', 'pass', 'marginal']);
    expect(latencyQuantiles(input(arm(1000, 0, hist([1, 99])), baseline), L).map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    expect(latencyQuantiles(input(arm(1000, 0, hist([1, 500])), arm(1000, 0, hist([1, 99]))), L)[0]?.detail).toBe('fewer than 100 latencies in an arm');
    expect(latencyQuantiles(input(arm(1000, 0, hist([1, 500])), arm(1000, 0)), L)).toEqual([]);
    expect(latencyQuantiles(input(arm(1000, 0, hist([1, 500])), arm(1000, 0, hist([1, 500]))), { ...L, enabled: false })).toEqual([]);
  });
});

describe('latencyCeiling', () => {
  it('is not run without a p99 line', () => {
    expect(latencyCeiling(input(arm(1000, 0, hist([1, 1000])), null), undefined)).toBeNull();
  });

  it('on a histogram: fails more than 1% shown over the line, holds a shared cause or an unshown excess, passes otherwise', () => {
    const r = latencyCeiling(input(arm(1000, 0, hist([1, 970], [7, 30])), arm(1000, 0, hist([1, 1000]))), 250);
    expect(r).toMatchObject({ verdict: 'fail', statistic: 0.03, candidate: 1000, baseline: 10, limit: 250, detail: '3.00% of requests over 250 ms (at most 1% allowed)' });
    expect(latencyCeiling(input(arm(1000, 0, hist([1, 970], [7, 30])), arm(1000, 0, hist([1, 970], [7, 30]))), 250)).toMatchObject({ verdict: 'marginal', detail: '3.00% of requests over 250 ms (at most 1% allowed); baseline too: a shared cause, holding' });
    expect(latencyCeiling(input(arm(1000, 0, hist([1, 985], [7, 15])), null), 250)?.verdict).toBe('marginal');
    expect(latencyCeiling(input(arm(1000, 0, hist([1, 990], [7, 10])), null), 250)?.verdict).toBe('pass');
    expect(latencyCeiling(input(arm(1000, 0, hist([1, 50])), null), 250)).toMatchObject({ verdict: 'inconclusive', detail: 'fewer than 100 latencies' });
  });

  it('on a p99 the source reported: compared as it is, with the minimum sample', () => {
    expect(latencyCeiling(input(arm(1000, 0, null, 900), arm(1000, 0, null, 100)), 500)).toEqual({
      metric: 'latency-ceiling', kind: 'ceiling', verdict: 'fail', critical: true, weight: 1, candidate: 900, baseline: 100, limit: 500, alpha: null,
      statistic: 900, pValue: null, samples: { candidate: 1000, baseline: 1000 }, detail: 'p99 900 ms as the source reports it, against 500 ms',
    });
    expect(latencyCeiling(input(arm(1000, 0, null, 500), null), 500)?.verdict).toBe('pass');
    expect(latencyCeiling(input(arm(1000, 0, null, null), null), 500)).toMatchObject({ verdict: 'inconclusive', detail: 'the source reported no latency' });
    expect(latencyCeiling(input(arm(99, 0, null, 900), null), 500)).toMatchObject({ verdict: 'inconclusive', detail: 'fewer than 100 requests' });
  });
});

describe('custom metrics, figure by figure', () => {
  const metric = { name: 'm', query: 'x{r="{{revision}}"}', judge: 'absolute' as const, tolerance: 0.2, higherIsWorse: true, weight: 2, critical: false, dryRun: false };
  const ok = (candidate: number | null, baseline: number | null = null) => ({ name: 'm', candidate, baseline, error: null });
  const at = input(arm(1000, 0), arm(800, 0));
  it('absolute: max, min, both', () => {
    expect(customMetric(at, { ...metric, max: 10 }, ok(11))).toEqual({ metric: 'm', kind: 'ceiling', critical: false, weight: 2, dryRun: false, candidate: 11, baseline: null, limit: 10, statistic: null, pValue: null, alpha: null, samples: { candidate: 1000, baseline: 800 }, verdict: 'fail', detail: '11 against max 10' });
    expect(customMetric(at, { ...metric, max: 10 }, ok(10)).verdict).toBe('pass');
    expect(customMetric(at, { ...metric, min: 5 }, ok(4))).toMatchObject({ verdict: 'fail', limit: 5, detail: '4 against min 5' });
    expect(customMetric(at, { ...metric, min: 5 }, ok(5)).verdict).toBe('pass');
    expect(customMetric(at, { ...metric, min: 5, max: 10 }, ok(7))).toMatchObject({ verdict: 'pass', limit: 5, detail: '7 against min 5, max 10' });
    expect(customMetric(at, { ...metric, min: 5, max: 10 }, ok(12))).toMatchObject({ verdict: 'fail', limit: 10 });
    expect(customMetric(input(arm(1000, 0), null), { ...metric, max: 10 }, ok(1)).samples).toEqual({ candidate: 1000, baseline: null });
  });

  it('relative: both directions, at the limit, and without the baseline\'s value', () => {
    const rel = { ...metric, judge: 'relative' as const };
    expect(customMetric(at, rel, ok(12, 10))).toMatchObject({ kind: 'relative', verdict: 'pass', limit: 12, detail: '12 vs baseline 10 (at most 12)' });
    expect(customMetric(at, rel, ok(12.5, 10)).verdict).toBe('fail');
    const lower = { ...rel, higherIsWorse: false };
    expect(customMetric(at, lower, ok(8, 10))).toMatchObject({ verdict: 'pass', limit: 8, detail: '8 vs baseline 10 (at least 8)' });
    expect(customMetric(at, lower, ok(7.9, 10)).verdict).toBe('fail');
    expect(customMetric(at, rel, ok(12, null))).toMatchObject({ verdict: 'inconclusive', limit: null, detail: 'the query returned no value for the baseline' });
  });

  it('without a value or an error, or below the minimum sample: inconclusive, saying which', () => {
    expect(customMetric(at, { ...metric, max: 1 }, undefined)).toMatchObject({ verdict: 'inconclusive', candidate: null, detail: 'the query returned no value for the candidate' });
    expect(customMetric(at, { ...metric, max: 1 }, { name: 'm', candidate: 5, baseline: null, error: 'boom' })).toMatchObject({ verdict: 'inconclusive', detail: 'boom' });
    expect(customMetric(input(arm(100, 0), null), { ...metric, max: 1 }, ok(5)).verdict).toBe('fail');
    expect(customMetric(input(arm(99, 0), null), { ...metric, max: 1 }, ok(5))).toMatchObject({ verdict: 'inconclusive', detail: 'fewer than 100 requests' });
  });
});

describe('combine: the score and the verdict', () => {
  const m = (verdict: MetricResult['verdict'], critical = false, weight = 1, dryRun?: boolean): MetricResult => ({ metric: 'x', kind: 'relative', verdict, critical, weight, ...(dryRun === undefined ? {} : { dryRun }), candidate: null, baseline: null, limit: null, statistic: null, pValue: null, alpha: null, samples: { candidate: 0, baseline: 0 }, detail: '' });
  const t = { pass: 95, marginal: 75 };
  it('scores pass 1, marginal ½, fail 0 by weight over the conclusive metrics', () => {
    expect(combine([m('pass', false, 3), m('marginal', false, 1), m('inconclusive', false, 5)], t)).toEqual({ verdict: 'marginal', score: 87.5 });
    expect(combine([m('pass', false, 19), m('fail', false, 1)], t)).toEqual({ verdict: 'pass', score: 95 });
    expect(combine([m('pass', false, 3), m('fail', false, 1)], t)).toEqual({ verdict: 'marginal', score: 75 });
    expect(combine([m('pass', false, 2), m('fail', false, 1)], t).verdict).toBe('fail');
  });

  it('a failing critical metric fails; an inconclusive or marginal critical one leaves it inconclusive or holding', () => {
    expect(combine([m('pass', false, 100), m('fail', true)], t).verdict).toBe('fail');
    expect(combine([m('pass', false), m('inconclusive', true)], t)).toEqual({ verdict: 'inconclusive', score: 100 });
    expect(combine([m('pass', false), m('marginal', true)], t).verdict).toBe('marginal');
    expect(combine([m('inconclusive', false)], t)).toEqual({ verdict: 'inconclusive', score: null });
    expect(combine([], t)).toEqual({ verdict: 'inconclusive', score: null });
  });

  it('a dry-run metric never counts, even critical and failing', () => {
    expect(combine([m('pass'), m('fail', true, 1, true)], t)).toEqual({ verdict: 'pass', score: 100 });
    expect(combine([m('pass'), m('fail', true, 1, false)], t).verdict).toBe('fail');
  });
});

describe('describing an analysis', () => {
  const metric = (over: Partial<MetricResult>): MetricResult => ({ metric: 'error-ratio', kind: 'relative', verdict: 'fail', critical: true, weight: 1, candidate: 0.04, baseline: 0.001, limit: 0.002, statistic: 5, pValue: 0.00001, alpha: 0.001, samples: { candidate: 2000, baseline: 1000 }, detail: '', ...over });
  const analysis = (metrics: MetricResult[], score: number | null = 50): Analysis => ({ verdict: 'fail', score, comparedWith: 'baseline', baselineRevision: 'b', lookAlpha: 0.01, minSample: 50, metrics });
  it('says each metric\'s figures in a line a person can check', () => {
    expect(describeMetric(metric({}))).toBe('error-ratio fail: 4.00% (80/2000) vs baseline 0.10% (1/1000) (n = 2000/1000, p < 0.0001)');
    expect(describeMetric(metric({ metric: 'error-ceiling', kind: 'ceiling', limit: 0.05, samples: { candidate: 200, baseline: null }, pValue: 0.5, candidate: 0.02 }))).toBe('error-ceiling fail: 2.00% (4/200) vs line 5.00% (n = 200, p = 0.5000)');
    expect(describeMetric(metric({ metric: 'latency-p99', candidate: 250, baseline: 25, pValue: null, verdict: 'pass' }))).toBe('latency-p99 pass: 250 ms vs baseline 25 ms (n = 2000/1000)');
    expect(describeMetric(metric({ metric: 'latency-p99', candidate: null, baseline: null, pValue: null }))).toBe('latency-p99 fail: n/a vs baseline n/a (n = 2000/1000)');
  });

  it('names the deciding metrics: failing ones, else critical holds, else the error ratio', () => {
    const failing = metric({ metric: 'latency-rank' });
    const holding = metric({ verdict: 'marginal', metric: 'latency-p50' });
    const quiet = metric({ verdict: 'marginal', critical: false, metric: 'q' });
    const ratio = metric({ verdict: 'pass' });
    expect(decisive(analysis([ratio, holding, failing]))).toEqual([failing]);
    expect(decisive(analysis([ratio, quiet, holding]))).toEqual([holding]);
    expect(decisive(analysis([quiet, ratio]))).toEqual([ratio]);
    expect(decisive(analysis([metric({ verdict: 'pass', metric: 'error-ceiling' })]))[0]?.metric).toBe('error-ceiling');
    expect(decisive(analysis([metric({ verdict: 'pass', metric: 'latency-p50' })]))).toEqual([]);
    expect(decisive(analysis([metric({ verdict: 'inconclusive' }), metric({ verdict: 'inconclusive', critical: false, metric: 'q' })]))).toHaveLength(1);
    expect(decisive(analysis([metric({ verdict: 'fail', critical: false, metric: 'q' })]))[0]?.metric).toBe('q');
  });

  it('joins at most three lines and the score', () => {
    const four = ['a', 'b', 'c', 'd'].map((name) => metric({ metric: name }));
    expect(describeAnalysis(analysis(four, 12.4)).split('; ')).toHaveLength(4);
    expect(describeAnalysis(analysis([metric({})], 12.6))).toMatch(/; score 13$/);
    expect(describeAnalysis(analysis([metric({})], null))).not.toContain('score');
  });
});

describe('the judge splits the look\'s alpha between the tests it runs', () => {
  const look = { elapsedMs: 60_000, previousElapsedMs: 30_000, bakeMs: 300_000, horizonMs: 1_800_000 };
  const slo = { maxErrorRate: 0.05, minRequests: 100, maxP99LatencyMs: undefined as number | undefined };
  const h = hist([1, 1000]);
  const run = (candidate: ArmFigures, baseline: ArmFigures | null, s = slo, config = DEFAULT_ANALYSIS) => judge({ candidate, baseline, baselineRevision: 'b', slo: s, config, look });
  // metrics[0] is always the error ceiling, whose share is 1 part: the look's alpha over its alpha is the number of parts.
  const split = (a: ReturnType<typeof run>) => Math.round(a.lookAlpha / (a.metrics[0]?.alpha ?? 1));
  it.each([
    ['ceilings only, no latency line', arm(1000, 0, h), null, slo, DEFAULT_ANALYSIS, 1],
    ['ceilings only, with a latency line', arm(1000, 0, h), null, { ...slo, maxP99LatencyMs: 500 }, DEFAULT_ANALYSIS, 2],
    ['error ratio beside a baseline without latency', arm(1000, 0), arm(1000, 0), slo, DEFAULT_ANALYSIS, 5],
    ['everything: ceilings, ratio, rank and three quantiles', arm(1000, 0, h), arm(1000, 0, h), { ...slo, maxP99LatencyMs: 500 }, DEFAULT_ANALYSIS, 11],
    ['latency off', arm(1000, 0, h), arm(1000, 0, h), slo, { ...DEFAULT_ANALYSIS, latency: { ...DEFAULT_ANALYSIS.latency, enabled: false } }, 5],
    ['error ratio off', arm(1000, 0, h), arm(1000, 0, h), slo, { ...DEFAULT_ANALYSIS, errorRatio: { ...DEFAULT_ANALYSIS.errorRatio, enabled: false } }, 6],
  ] as const)('%s', (_name, candidate, baseline, s, config, tests) => {
    const a = run(candidate, baseline, s, config);
    expect(split(a)).toBe(tests);
    expect(a.comparedWith).toBe(baseline ? 'baseline' : 'ceilings');
    expect(a.baselineRevision).toBe(baseline ? 'b' : null);
    expect(a.minSample).toBe(100);
  });
});

describe('agreement between the stream and the authority, at its edges', () => {
  const read = (authority: [number, number], stream: [number, number], base: [number, number] | null = null) => ({
    status: 'read' as const, source: 'monitoring' as const, windowStartAt: 0, windowEndAt: 90_000,
    authority: { candidate: { requests: authority[0], errors: authority[1] }, baseline: base ? { requests: base[0], errors: base[1] } : null },
    stream: { candidate: { requests: stream[0], errors: stream[1] }, baseline: base ? { requests: base[0], errors: base[1] } : null },
  });
  it('allows tolerance × the authority\'s count plus the slack, and not one request more', () => {
    expect(agreement(read([1000, 0], [1105, 0]), 0.1)).toEqual({ agrees: true, differences: [] });
    expect(agreement(read([1000, 0], [1106, 0]), 0.1)).toEqual({ agrees: false, differences: ['candidate: the stream counted 1106 requests, monitoring 1000'] });
    expect(agreement(read([0, 0], [5, 0]), 0.1).agrees).toBe(true);
    expect(agreement(read([0, 0], [6, 0]), 0.1).agrees).toBe(false);
  });

  it('allows 5xx ratios two points apart, and not more; an arm with no requests reads as 0%', () => {
    expect(agreement(read([1000, 20], [1000, 0]), 0.1).agrees).toBe(true);
    expect(agreement(read([1000, 21], [1000, 0]), 0.1)).toEqual({ agrees: false, differences: ['candidate: the stream saw 0.00% errors, monitoring 2.10%'] });
    expect(agreement(read([1000, 0], [0, 0]), 0.1).agrees).toBe(true);
  });

  it('checks the baseline arm too, and skips an arm the reading does not have', () => {
    const c = read([1000, 0], [1000, 0], [1000, 0]);
    expect(agreement({ ...c, stream: { ...c.stream, baseline: { requests: 3000, errors: 0 } } }, 0.1).differences).toEqual(['baseline: the stream counted 3000 requests, monitoring 1000']);
    expect(agreement({ ...c, stream: { ...c.stream, baseline: null } }, 0.1).agrees).toBe(true);
  });

  it('says over how much of the step the authority confirmed', () => {
    const context = { baselineRevision: null, slo: { maxErrorRate: 0.05, minRequests: 100 }, config: DEFAULT_ANALYSIS, look: { elapsedMs: 60_000, previousElapsedMs: 30_000, bakeMs: 300_000, horizonMs: 1_800_000 } };
    expect(confirmStep(read([1000, 2], [1000, 2]), context, 0.1)).toMatchObject({ verdict: 'confirmed', detail: 'monitoring, 90s of the step: 2/1000 errors, agrees with the stream' });
    expect(confirmStep(read([1000, 0], [2000, 0]), context, 0.1).detail).toBe('monitoring, 90s of the step: candidate: the stream counted 2000 requests, monitoring 1000');
    expect(confirmStep(read([50, 0], [50, 0]), context, 0.1).detail).toBe('monitoring, 90s of the step: too few requests yet');
    expect(confirmStep({ status: 'unavailable', source: 'router', error: 'refused' }, context, 0.1).detail).toBe('router: refused');
    expect(confirmStep({ status: 'pending', source: 'monitoring', visibleUntil: 0 }, context, 0.1).detail).toBe('monitoring cannot see this step yet (visible until 1970-01-01T00:00:00.000Z)');
  });
});
