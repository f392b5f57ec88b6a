import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/domain/index.js';
import { renderTimeline, timelineSeries } from '../../shared/views/timeline.js';
import { T0, releaseIn } from '../support/fixtures.js';

const entry = (seq: number, s: number, toPhase: HistoryEntry['toPhase'], reason: string, trafficPercent: number | null, errorRate?: number): HistoryEntry => ({
  schemaVersion: 1, seq, releaseId: 'checkout-b1', at: T0 + s * 1000, eventId: `e${seq}`, eventKind: 'x', actor: null, fromPhase: null, toPhase, reason, message: `${reason} message`, trafficPercent,
  details: errorRate === undefined ? null : { health: { errorRate, thresholds: { maxErrorRate: 0.05 } } },
});
const history = [
  entry(1, 0, 'deploying', 'BuildSucceeded', null),
  entry(2, 20, 'verifying', 'CandidateDeployed', null),
  entry(3, 22, 'shifting', 'StepReached', 10),
  entry(4, 40, 'shifting', 'Healthy', 10, 0.01),
  entry(5, 80, 'shifting', 'StepReached', 50),
  entry(6, 95, 'rolling_back', 'ErrorRateBreached', 50, 0.3),
  entry(7, 97, 'rolled_back', 'RolledBack', 0),
];
const release = releaseIn('rolled_back', { health: null });

describe('release timeline (server-rendered SVG)', () => {
  it('draws traffic as steps, each health reading\'s error rate against the SLO, and every decision', () => {
    const s = timelineSeries(release, history, T0 + 200_000);
    expect(s.traffic.map((p) => [p.at - T0, p.value])).toEqual([[22_000, 10], [80_000, 50], [97_000, 0]]);
    expect(s.errors.map((p) => p.value)).toEqual([0.01, 0.3]);
    expect(s.threshold).toBe(0.05);
    expect(s.decisions.map((d) => d.reason)).toEqual(history.map((h) => h.reason));
    expect(s.end).toBe(T0 + 97_000);
  });

  it('renders the series the page and its test read, with text alternatives', () => {
    const svg = renderTimeline(release, history, T0 + 200_000);
    expect(svg.match(/data-series="decision"/g)).toHaveLength(7);
    expect(svg.match(/data-series="error-rate"/g)).toHaveLength(2);
    expect(svg).toContain('data-series="traffic"');
    expect(svg).toContain('data-series="slo"');
    expect(svg).toContain('role="img"');
    expect(svg).toContain('Candidate traffic 10% → 50% → 0%, now 0%; 2 error-rate reading(s), highest 30.00% against an SLO of 5.00%; 7 decision(s).');
  });

  it('a release with no traffic yet and no readings still renders, saying so', () => {
    const svg = renderTimeline(releaseIn('deploying'), [entry(1, 0, 'deploying', 'BuildSucceeded', null)], T0 + 5_000);
    expect(svg).toContain('Candidate traffic never set');
    expect(svg).not.toContain('data-series="traffic"');
  });

  it('escapes what a history message carries', () => {
    const svg = renderTimeline(release, [{ ...entry(1, 0, 'deploying', 'BuildSucceeded', null), message: '<script>x</script>' }], T0);
    expect(svg).not.toContain('<script>');
  });

  it('draws the candidate against its baseline for each metric the judge kept, and the page lists the newest analysis', () => {
    const judged = (seq: number, at: number, candidate: number, baseline: number, p99: [number, number]): HistoryEntry => ({
      ...entry(seq, at, 'shifting', 'Healthy', 10),
      details: { health: { errorRate: candidate, thresholds: { maxErrorRate: 0.05 }, analysis: analysisOf(candidate, baseline, p99) } },
    });
    const withAnalysis = [entry(1, 0, 'shifting', 'StepReached', 10), judged(2, 30, 0.004, 0.001, [50, 25]), judged(3, 60, 0.02, 0.001, [250, 25])];
    const s = timelineSeries(release, withAnalysis, T0 + 90_000);
    expect(s.baselineErrors.map((p) => p.value)).toEqual([0.001, 0.001]);
    expect(s.latency).toEqual({ candidate: [{ at: T0 + 30_000, value: 50 }, { at: T0 + 60_000, value: 250 }], baseline: [{ at: T0 + 30_000, value: 25 }, { at: T0 + 60_000, value: 25 }] });
    const svg = renderTimeline(release, withAnalysis, T0 + 90_000);
    expect(svg.match(/data-series="baseline-error-rate"/g)).toHaveLength(2);
    expect(svg.match(/data-series="latency-p99"/g)).toHaveLength(2);
    expect(svg.match(/data-series="baseline-latency-p99"/g)).toHaveLength(2);
    expect(svg).toMatch(/baseline(&#39;|')s highest 0\.10%/);
    expect(svg).toMatch(/2 p99 reading\(s\), highest 250 ms \(baseline(&#39;|')s 25 ms\)/);
  });
});

function analysisOf(candidate: number, baseline: number, p99: [number, number]) {
  const metric = (name: string, c: number, b: number) => ({ metric: name, kind: 'relative', verdict: 'pass', critical: true, weight: 1, candidate: c, baseline: b, limit: null, statistic: null, pValue: null, alpha: null, samples: { candidate: 500, baseline: 4500 }, detail: '' });
  return { verdict: 'pass', score: 100, comparedWith: 'baseline', baselineRevision: 'checkout-stable', lookAlpha: 0.01, minSample: 50, metrics: [metric('error-ratio', candidate, baseline), metric('latency-p99', p99[0], p99[1])] };
}
