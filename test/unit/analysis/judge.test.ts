import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_ANALYSIS, judge, LATENCY_BOUNDS_MS, type ArmFigures, type JudgeInput } from '../../../shared/domain/index.js';

const SLOTS = LATENCY_BOUNDS_MS.length + 1;
/** A latency histogram with `n` requests in the bin of `ms`, plus extra (ms, count) pairs. */
function histogram(n: number, ms: number, ...extra: [number, number][]): number[] {
  const h = new Array<number>(SLOTS).fill(0);
  for (const [at, count] of [[ms, n] as [number, number], ...extra]) {
    const slot = LATENCY_BOUNDS_MS.findIndex((b) => at <= b);
    const i = slot < 0 ? SLOTS - 1 : slot;
    h[i] = (h[i] ?? 0) + count;
  }
  return h;
}
const arm = (requests: number, errors: number, latency: number[] | null = histogram(requests, 20)): ArmFigures => ({ requests, errors, latency });
const slo = { maxErrorRate: 0.05, minRequests: 100, maxP99LatencyMs: undefined as number | undefined };
/** The second of ten 30 s looks in a 5-minute bake (30-minute deadline). */
const look = { elapsedMs: 60_000, previousElapsedMs: 30_000, bakeMs: 300_000, horizonMs: 1_800_000 };
const input = (candidate: ArmFigures, baseline: ArmFigures | null, over: Partial<JudgeInput> = {}): JudgeInput => ({ candidate, baseline, baselineRevision: 'stable-1', slo, config: DEFAULT_ANALYSIS, look, ...over });
const metric = (a: ReturnType<typeof judge>, name: string) => a.metrics.find((m) => m.metric === name);

describe('judge: worked scenarios', () => {
  it('a clean candidate beside a clean baseline passes every metric', () => {
    const a = judge(input(arm(1000, 1), arm(1000, 1)));
    expect(a.verdict).toBe('pass');
    expect(a.score).toBe(100);
    expect(a.metrics.map((m) => m.metric)).toEqual(['error-ceiling', 'error-ratio', 'latency-rank', 'latency-p50', 'latency-p95', 'latency-p99']);
    expect(a.metrics.every((m) => m.samples.candidate === 1000)).toBe(true);
  });

  it('+2 points of errors over 1,000 requests an arm fails the error ratio, with its figures', () => {
    const a = judge(input(arm(1000, 20), arm(1000, 0)));
    expect(a.verdict).toBe('fail');
    const m = metric(a, 'error-ratio')!;
    expect(m.verdict).toBe('fail');
    expect(m.candidate).toBeCloseTo(0.02, 10);
    expect(m.baseline).toBe(0);
    expect(m.pValue!).toBeLessThan(m.alpha!);
    // the error ratio's share of the look: 4 of 10 (ceiling 1, ratio 4, rank 2, three quantiles 1 each)
    expect(m.alpha!).toBeCloseTo((a.lookAlpha * 4) / 10, 12);
  });

  it('a dependency failing 6% of every version’s requests holds the step instead of rolling back', () => {
    const a = judge(input(arm(5000, 315), arm(5000, 300)));
    expect(metric(a, 'error-ratio')!.verdict).toBe('pass');
    expect(metric(a, 'error-ceiling')!.verdict).toBe('marginal');
    expect(metric(a, 'error-ceiling')!.detail).toContain('shared cause');
    expect(a.verdict).toBe('marginal');
  });

  it('the same 6% on the candidate alone, with nothing to compare against, breaches the ceiling', () => {
    expect(judge(input(arm(5000, 315), null)).verdict).toBe('fail');
  });

  it('a handful of requests is inconclusive however many of them failed', () => {
    const a = judge(input(arm(4, 3), arm(400, 0)));
    expect(a.verdict).toBe('inconclusive');
    expect(metric(a, 'error-ratio')!.detail).toContain('fewer than 100');
  });

  it('against a baseline from another period (the watch window), a latency difference is recorded and never acts; errors still do', () => {
    // The whole median slower: beside its baseline this fails; alone at 100% after completion, against
    // the previous stable's figures from before (another load), it is recorded only.
    const slower = arm(3000, 0, histogram(3000, 80));
    const before = arm(3000, 0, histogram(3000, 20));
    expect(judge(input(slower, before)).verdict).toBe('fail');
    const watched = judge(input(slower, before, { concurrent: false }));
    expect(watched.verdict).toBe('pass');
    const rank = metric(watched, 'latency-rank');
    expect(rank).toMatchObject({ verdict: 'fail', dryRun: true, detail: expect.stringContaining('never acts') });
    expect(judge(input(arm(3000, 300, histogram(3000, 20)), arm(3000, 3), { concurrent: false })).verdict).toBe('fail');
  });

  it('one stray 5xx in 150 requests does not fail anything', () => {
    expect(judge(input(arm(150, 1), arm(150, 0))).verdict).not.toBe('fail');
  });

  it('a p99 200 ms slower with the median unchanged fails the p99 limit, not the rank test', () => {
    const candidate = arm(3000, 0, histogram(2940, 20, [300, 60]));
    const baseline = arm(3000, 0, histogram(2997, 20, [60, 3]));
    const a = judge(input(candidate, baseline));
    expect(metric(a, 'latency-p99')!.verdict).toBe('fail');
    expect(metric(a, 'latency-rank')!.verdict).toBe('pass');
    expect(metric(a, 'latency-p50')!.verdict).toBe('pass');
    expect(a.verdict).toBe('fail');
  });

  it('a whole distribution shifted slower fails the rank test', () => {
    const a = judge(input(arm(500, 0, histogram(500, 80)), arm(500, 0, histogram(500, 20))));
    expect(metric(a, 'latency-rank')!.verdict).toBe('fail');
    expect(metric(a, 'latency-rank')!.detail).toContain('100.0%');
  });

  it('the SLO p99 line is a ceiling: 3% of requests over it fails', () => {
    const s = { ...slo, maxP99LatencyMs: 250 };
    const a = judge(input(arm(1000, 0, histogram(970, 20, [400, 30])), null, { slo: s }));
    expect(metric(a, 'latency-ceiling')!.verdict).toBe('fail');
  });

  it('a non-critical metric that fails lowers the score instead of failing the analysis', () => {
    const config = { ...DEFAULT_ANALYSIS, latency: { ...DEFAULT_ANALYSIS.latency, critical: false } };
    const a = judge(input(arm(500, 0, histogram(500, 80)), arm(500, 0, histogram(500, 20)), { config }));
    expect(a.score!).toBeLessThan(95);
    expect(['marginal', 'fail']).toContain(a.verdict);
  });

  it('without latency figures only the error metrics are judged', () => {
    const a = judge(input(arm(1000, 0, null), arm(1000, 0, null)));
    expect(a.metrics.map((m) => m.metric)).toEqual(['error-ceiling', 'error-ratio']);
    expect(a.verdict).toBe('pass');
  });
});

const counts = fc.record({ n: fc.integer({ min: 0, max: 5000 }), rate: fc.double({ min: 0, max: 1, noNaN: true }) });
const toArm = ({ n, rate }: { n: number; rate: number }, latency: number[]): ArmFigures => ({ requests: n, errors: Math.round(n * rate), latency });
const hist = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: SLOTS, maxLength: SLOTS });

describe('judge: properties', () => {
  it('identical arms never fail', () => {
    fc.assert(
      fc.property(counts, hist, (c, h) => {
        const a = judge(input(toArm(c, h), toArm(c, h)));
        expect(a.verdict).not.toBe('fail');
        expect(a.metrics.filter((m) => m.kind === 'relative').every((m) => m.verdict !== 'fail')).toBe(true);
      }),
    );
  });

  it('more evidence of the same rates never flips a clear verdict', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 2, max: 8 }), (n, xc, xb, k) => {
        const at = (m: number) => metric(judge(input(arm(n * m, xc * m), arm(n * m, xb * m))), 'error-ratio')!;
        const first = at(1);
        if (first.pValue! < first.alpha! / 100) expect(at(k).verdict).toBe('fail');
        if (first.verdict === 'pass' && xc <= xb) expect(at(k).verdict).toBe('pass');
      }),
    );
  });

  it('below the minimum sample in either arm nothing fails unless it is a ceiling on the candidate alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 5000 }), (xc, nc, nb) => {
        const a = judge(input(arm(nc, Math.min(xc, nc)), arm(nb, 0)));
        expect(a.verdict).toBe('inconclusive');
      }),
    );
  });

  it('the alpha the tests use never adds up to more than the look’s', () => {
    fc.assert(
      fc.property(counts, counts, hist, hist, (c, b, hc, hb) => {
        const a = judge(input(toArm(c, hc), toArm(b, hb), { slo: { ...slo, maxP99LatencyMs: 500 } }));
        const used = a.metrics.reduce((s, m) => s + (m.alpha ?? 0), 0);
        expect(used).toBeLessThanOrEqual(a.lookAlpha + 1e-12);
      }),
    );
  });
});
