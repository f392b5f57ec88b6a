import { describe, expect, it } from 'vitest';
import { decide, releaseFacts, rollbackOf, type Release } from '../../shared/domain/index.js';
import { parseIncidentMessage } from '../../shared/ingest/monitoring.js';
import { T0, ctxAt, ev, releaseIn, serviceState } from '../support/fixtures.js';
import { incidentNotification } from '../support/messages.js';

/** Time to restore counts from the breach's onset where Cloud Monitoring reports it (the incident's started_at). */
const message = (startedAt: unknown) => {
  const n = incidentNotification({ id: 'i-1', labels: { 'cutover-service': 'checkout' } });
  return { messageId: 'm', data: Buffer.from(JSON.stringify({ ...n, incident: { ...n.incident, started_at: startedAt } })), attributes: {}, publishTime: null };
};
const startedAtOf = (value: unknown) => {
  const parsed = parseIncidentMessage(message(value));
  return parsed.kind === 'incident' ? parsed.incident.body.startedAt : 'not parsed';
};

describe('incident onset', () => {
  it('reads started_at as epoch seconds, and anything else as unknown', () => {
    expect(startedAtOf(1_795_000_000)).toBe(1_795_000_000_000);
    expect(startedAtOf('1795000000')).toBe(1_795_000_000_000);
    expect([startedAtOf(null), startedAtOf('yesterday'), startedAtOf(-5), startedAtOf(undefined), startedAtOf('1e9')]).toEqual([null, null, null, null, null]);
  });

  const shifting = (): Release => releaseIn('shifting', { createdAt: T0 - 600_000, stepIndex: 0, traffic: { desiredPercent: 10, observedPercent: 10, observedAt: T0 - 60_000 } });
  const rollBack = (startedAt: number | null, now = T0) => {
    const release = shifting();
    const d = decide({ service: serviceState({}, { activeReleaseId: release.id }), releases: [release] }, ev({ kind: 'incident', incidentId: 'i-1', state: 'open', policyName: null, summary: null, startedAt }, { at: now }), ctxAt(now));
    return d.releases.find((r) => r.id === release.id);
  };

  const onset = (r: Release | undefined) => (r ? rollbackOf(r.state)?.breachStartedAt : undefined);

  it('keeps the onset on the rollback, inside the release\'s life and never after the decision', () => {
    expect(rollBack(T0 - 45_000)).toMatchObject({ state: { phase: 'rolling_back', rollback: { startedAt: T0, breachStartedAt: T0 - 45_000 } } });
    expect(onset(rollBack(T0 - 86_400_000))).toBe(T0 - 600_000);
    expect(onset(rollBack(T0 + 60_000))).toBe(T0);
    expect(onset(rollBack(null))).toBeNull();
  });

  it('time to restore counts from the onset when known, else from the rollback decision', () => {
    const restored = (r: Release | undefined): Release => ({ ...(r as Release), state: { phase: 'rolled_back', sub: 'final', rollback: rollbackOf((r as Release).state) }, phaseStartedAt: T0 + 20_000 });
    expect(releaseFacts(restored(rollBack(T0 - 45_000))).restore).toEqual({ at: T0 + 20_000, durationMs: 65_000 });
    expect(releaseFacts(restored(rollBack(null))).restore).toEqual({ at: T0 + 20_000, durationMs: 20_000 });
  });
});
