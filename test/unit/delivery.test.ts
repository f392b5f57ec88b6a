import { describe, expect, it } from 'vitest';
import { Reason, dayWindow, deliveryPatches, keysFromDays, mergeDelivery, type DeliveryDay, type Release } from '../../shared/domain/index.js';
import { T0, releaseIn, rolledBackState } from '../support/fixtures.js';

const DAY = 86_400_000;
const base = releaseIn('shifting', { id: 'checkout-b1', stepIndex: 0, completedAt: null, createdAt: T0 - 60_000 });
const completed: Release = { ...base, state: { phase: 'complete', sub: 'watching', watchUntil: T0 + 1_800_000 }, completedAt: T0, phaseStartedAt: T0 };

describe('kept delivery figures (patches per UTC day)', () => {
  it('a decision that ends nothing changes no figure', () => {
    expect(deliveryPatches(undefined, releaseIn('deploying'))).toEqual([]);
    expect(deliveryPatches(base, { ...base, stepIndex: 1 })).toEqual([]);
    expect(deliveryPatches(completed, { ...completed, nextCheckAt: T0 + 60_000 })).toEqual([]);
  });

  it('completing records the deployment with its lead time and an ok outcome, on the day it completed', () => {
    const patches = deliveryPatches(base, completed);
    expect(patches).toEqual([{ service: 'checkout', day: '2026-11-27', deployed: { 'checkout-b1': completed.completedAt! - (completed.build.createdAt ?? completed.createdAt) }, outcomes: { 'checkout-b1': 'ok' } }]);
  });

  it('a rollback in the watch window turns that deployment\'s outcome to failed on the day it deployed, and the restore on the day it ended', () => {
    const rolledBack: Release = { ...completed, state: rolledBackState('rolled_back', Reason.IncidentOpened, { startedAt: T0 + DAY - 1_000, from: 'complete' }), phaseStartedAt: T0 + DAY + 2_000 };
    expect(deliveryPatches(completed, rolledBack)).toEqual([
      { service: 'checkout', day: '2026-11-27', outcomes: { 'checkout-b1': 'failed' } },
      { service: 'checkout', day: '2026-11-28', restores: { 'checkout-b1': 3_000 } },
    ]);
  });

  it('rolled back before traffic, or superseded, is not a failure; superseded after traffic is an ok outcome', () => {
    const beforeTraffic: Release = { ...base, stepIndex: null, state: rolledBackState('rolled_back', Reason.VerificationFailed, { from: 'verifying' }), phaseStartedAt: T0 };
    expect(deliveryPatches({ ...base, stepIndex: null }, beforeTraffic)).toEqual([]);
    const superseded: Release = { ...base, state: { phase: 'superseded', sub: 'final', rollback: null }, phaseStartedAt: T0 };
    expect(deliveryPatches(base, superseded)).toEqual([{ service: 'checkout', day: '2026-11-27', outcomes: { 'checkout-b1': 'ok' } }]);
  });

  it('merging the same patch twice, or patches in any order, gives the same day', () => {
    const a = { service: 'checkout', day: '2026-11-27', deployed: { r1: 5 }, outcomes: { r1: 'ok' as const } };
    const b = { service: 'checkout', day: '2026-11-27', outcomes: { r1: 'failed' as const, r2: 'ok' as const }, restores: { r1: 7 } };
    const once = mergeDelivery(mergeDelivery(null, a), b);
    expect(mergeDelivery(once, b)).toEqual(once);
    expect(once).toEqual({ schemaVersion: 1, service: 'checkout', day: '2026-11-27', deployed: { r1: 5 }, outcomes: { r1: 'failed', r2: 'ok' }, restores: { r1: 7 } });
  });

  it('reads whole UTC days: the window ends with today, and days outside it are ignored', () => {
    const now = Date.UTC(2026, 10, 28, 0, 5);
    expect(dayWindow(now, 30)).toEqual({ from: Date.UTC(2026, 9, 30), to: Date.UTC(2026, 10, 29) });
    expect(dayWindow(now, 30, 30)).toEqual({ from: Date.UTC(2026, 8, 30), to: Date.UTC(2026, 9, 30) });
    const day = (d: string, deployed: Record<string, number>): DeliveryDay => ({ schemaVersion: 1, service: 'checkout', day: d, deployed, outcomes: {}, restores: {} });
    const keys = keysFromDays([day('2026-10-29', { a: 1 }), day('2026-10-30', { b: 2 }), day('2026-11-28', { c: 3 }), day('2026-11-29', { d: 4 })], Date.UTC(2026, 9, 30), Date.UTC(2026, 10, 29));
    expect(keys.deployments).toBe(2);
    expect(keys.leadTimeMs).toEqual({ p50: 2, p90: 3 });
  });
});
