import { describe, expect, it } from 'vitest';
import { Reason, fourKeys, releaseFacts, type Phase, type Release } from '../../shared/domain/index.js';
import { releaseIn, rolledBackState } from '../support/fixtures.js';

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 10, 1);
const TO = FROM + 30 * DAY;
const at = (day: number, hours = 12) => FROM + day * DAY + hours * 3_600_000;
let n = 0;
const rel = (phase: Phase, o: Partial<Release> = {}): Release => releaseIn(phase, { id: `checkout-r${(n += 1)}`, ...o });
const completed = (day: number, leadHours: number) => rel('complete', { completedAt: at(day), build: { id: 'b', status: 'SUCCESS', commit: 'c', image: 'i', createdAt: at(day) - leadHours * 3_600_000 } });
const rolledBack = (day: number, cause: string, o: Partial<Release> = {}, startedAt: number | null = at(day) - 90_000) =>
  rel('rolled_back', { completedAt: null, stepIndex: 0, state: rolledBackState('rolled_back', cause, { startedAt }), phaseStartedAt: at(day), ...o });

describe('the four keys', () => {
  it('with no releases: zero deployments, and no rates or times rather than made-up zeros', () => {
    expect(fourKeys([], FROM, TO)).toEqual({
      from: FROM, to: TO, deployments: 0, deploymentsPerDay: 0, deploymentsPerWeek: 0,
      leadTimeMs: { p50: null, p90: null }, changeFailure: { failed: 0, reachedTraffic: 0, rate: null }, timeToRestoreMs: { p50: null, max: null },
    });
  });

  it('deployment frequency and lead time count releases completed in the window only', () => {
    const keys = fourKeys([completed(1, 2), completed(2, 4), completed(3, 6), completed(-1, 1), completed(31, 1)], FROM, TO);
    expect(keys.deployments).toBe(3);
    expect(keys.deploymentsPerDay).toBeCloseTo(0.1);
    expect(keys.deploymentsPerWeek).toBeCloseTo(0.7);
    expect(keys.leadTimeMs).toEqual({ p50: 4 * 3_600_000, p90: 6 * 3_600_000 });
  });

  it('lead time falls back to the release\'s own creation when the build time is unknown', () => {
    const old = rel('complete', { completedAt: at(1), createdAt: at(1) - 60_000 });
    expect(fourKeys([old], FROM, TO).leadTimeMs.p50).toBe(60_000);
  });

  it('change failure rate: rolled back after reaching traffic, over releases that reached traffic; before traffic or superseded is not a failure', () => {
    const keys = fourKeys([
      completed(1, 1),
      completed(2, 1),
      rolledBack(3, Reason.ErrorRateBreached),
      rolledBack(4, Reason.IncidentOpened),
      rolledBack(5, Reason.VerificationFailed, { stepIndex: null }),
      rolledBack(6, Reason.Superseded),
      rolledBack(7, Reason.ManualRollback, { completedAt: at(7) - 3_600_000 }),
    ], FROM, TO);
    expect(keys.changeFailure).toEqual({ failed: 3, reachedTraffic: 6, rate: 0.5 });
  });

  it('time to restore: from the rollback decision to stable at 100%, including one that spans midnight', () => {
    const overnight = rolledBack(10, Reason.ErrorRateBreached, { phaseStartedAt: at(10, 0) + 60_000 }, at(10, 0) - 120_000);
    const keys = fourKeys([rolledBack(3, Reason.ErrorRateBreached), overnight], FROM, TO);
    expect(keys.timeToRestoreMs).toEqual({ p50: 90_000, max: 180_000 });
  });

  it('a release rolled back in its watch window fails on the day it was deployed; its restore counts on the day it ended', () => {
    const late = rel('rolled_back', { completedAt: at(4, 23), stepIndex: 2, state: rolledBackState('rolled_back', Reason.IncidentOpened, { startedAt: at(5, 1), from: 'complete' }), phaseStartedAt: at(5, 1) + 30_000 });
    const day = (d: number) => fourKeys([late], FROM + d * DAY, FROM + (d + 1) * DAY);
    expect(day(4)).toMatchObject({ deployments: 1, changeFailure: { failed: 1, reachedTraffic: 1, rate: 1 }, timeToRestoreMs: { p50: null, max: null } });
    expect(day(5)).toMatchObject({ deployments: 0, changeFailure: { failed: 0, reachedTraffic: 0, rate: null }, timeToRestoreMs: { p50: 30_000, max: 30_000 } });
    // Over both days it is counted once.
    expect(fourKeys([late], FROM, TO).changeFailure).toEqual({ failed: 1, reachedTraffic: 1, rate: 1 });
  });

  it('a release\'s facts: none while it is in flight, none before traffic, an old rollback without its start has no restore', () => {
    expect(releaseFacts(rel('shifting', { stepIndex: 1, completedAt: null }))).toEqual({ deployed: null, outcome: null, restore: null });
    // Completed, now rolling back in its watch window: still an ok deployment until stable is back.
    const rollingBack = rel('rolling_back', { completedAt: at(2), stepIndex: 2, state: rolledBackState('rolling_back', Reason.IncidentOpened, { startedAt: at(3), from: 'complete' }) });
    expect(releaseFacts(rollingBack).outcome).toEqual({ at: at(2), failed: false });
    expect(releaseFacts(rollingBack).restore).toBeNull();
    expect(releaseFacts(rel('rolled_back', { completedAt: null, stepIndex: 0, state: rolledBackState('rolled_back', null), phaseStartedAt: at(4) })).outcome).toEqual({ at: at(4), failed: false });
    const old = rolledBack(5, Reason.ErrorRateBreached, {}, null);
    expect(releaseFacts(old)).toMatchObject({ outcome: { failed: true }, restore: null });
  });

  it('a window holds what happened at its first instant, not at its end', () => {
    const edge = rel('complete', { completedAt: FROM, createdAt: FROM - 1_000 });
    expect(fourKeys([edge], FROM, TO).deployments).toBe(1);
    expect(fourKeys([edge], FROM - DAY, FROM).deployments).toBe(0);
  });
});
