import { describe, expect, it } from 'vitest';
import { bar, plainLine, renderWatch } from '../../cli/watch-view.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

describe('watch view', () => {
  const service = serviceState();
  const release = releaseIn('shifting', {
    stepIndex: 1,
    traffic: { desiredPercent: 50, observedPercent: 50, observedAt: T0 },
    health: { verdict: 'healthy', reasons: ['Healthy'], errorRate: 0.004, measurements: { requests: 500, errors: 2, p99LatencyMs: 20, windowStartAt: T0, windowEndAt: T0 }, error: null, thresholds: { maxErrorRate: 0.05, minRequests: 20, maxP99LatencyMs: null, windowMs: 60_000 }, at: T0 },
  });

  it('draws the traffic as a bar', () => {
    expect(bar(50, 10)).toBe('[#####.....]');
    expect(bar(0, 4)).toBe('[....]');
    expect(bar(100, 4)).toBe('[####]');
  });

  it('shows phase, step, split and health; colours only on a terminal', () => {
    const snapshot = { services: [{ service, releases: [release, releaseIn('rolled_back', { id: 'checkout-b0' })] }] };
    const plain = renderWatch(snapshot, false, T0);
    expect(plain).toContain('shifting     step 2/3  [##########..........]  50% candidate (want 50%)');
    expect(plain).toContain('healthy err 0.4% p99≤20ms (500 req)');
    expect(plain).toContain('rolled_back  checkout-b0');
    expect(plain).not.toContain('\x1b[');
    expect(renderWatch(snapshot, true, T0)).toContain('\x1b[36mshifting');
  });

  it('has a one-line form for logs and pipes', () => {
    expect(plainLine(release, service)).toBe('checkout checkout-b1 shifting step 2/3 candidate 50% healthy err 0.4% p99≤20ms (500 req) — x: ');
  });
});
