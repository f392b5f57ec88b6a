import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, deployPolicySchema, inForce, insideUntil, occurrences, policiesFor, platformDeployPolicySchema, restrictionOf, windowsSchema } from '../../shared/domain/index.js';
import { T0, build, ctxAt, ev, releaseIn, serviceState } from '../support/fixtures.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const windows = (w: object) => windowsSchema.parse(w);
const policy = (p: object) => deployPolicySchema.parse({ name: 'p', ...p });

describe('deploy policy windows: worked examples', () => {
  it('a weekly window is on the local clock: 09:00–17:00 Berlin is 08:00–16:00 UTC in winter, 07:00–15:00 in summer', () => {
    const hours = windows({ weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }] });
    expect(occurrences(hours, 'Europe/Berlin', utc('2026-12-07T00:00'), utc('2026-12-08T00:00'))).toEqual([{ start: utc('2026-12-07T08:00'), end: utc('2026-12-07T16:00') }]);
    expect(occurrences(hours, 'Europe/Berlin', utc('2027-06-07T00:00'), utc('2027-06-08T00:00'))).toEqual([{ start: utc('2027-06-07T07:00'), end: utc('2027-06-07T15:00') }]);
    expect(insideUntil(hours, 'Europe/Berlin', utc('2026-12-07T15:59'))).toEqual({ inside: true, until: utc('2026-12-07T16:00') });
    // Friday evening: the next window opens Monday morning.
    expect(insideUntil(hours, 'Europe/Berlin', utc('2026-12-11T18:00'))).toEqual({ inside: false, until: utc('2026-12-14T08:00') });
  });

  it('on the spring-forward day a window that starts in the gap starts when the clock jumps; its end is on the new offset', () => {
    // Berlin, 2027-03-28: 02:00 CET → 03:00 CEST. 02:30 does not exist on the clock.
    const night = windows({ weekly: [{ days: ['sun'], start: '02:30', end: '05:00' }] });
    expect(occurrences(night, 'Europe/Berlin', utc('2027-03-28T00:00'), utc('2027-03-28T12:00'))).toEqual([{ start: utc('2027-03-28T01:30'), end: utc('2027-03-28T03:00') }]);
  });

  it('on the fall-back day a window over the repeated hour is an hour longer in real time', () => {
    // Berlin, 2026-10-25: 03:00 CEST → 02:00 CET. 01:00–04:00 on the clock lasts four real hours.
    const night = windows({ weekly: [{ days: ['sun'], start: '01:00', end: '04:00' }] });
    const [span] = occurrences(night, 'Europe/Berlin', utc('2026-10-24T20:00'), utc('2026-10-25T12:00'));
    expect(span).toEqual({ start: utc('2026-10-24T23:00'), end: utc('2026-10-25T03:00') });
  });

  it('a window past midnight, and 24:00 as the end of the day', () => {
    const late = windows({ weekly: [{ days: ['fri'], start: '22:00', end: '06:00' }, { days: ['sat'], start: '00:00', end: '24:00' }] });
    // Friday 22:00 → Saturday 06:00 and all of Saturday merge: inside until Sunday 00:00.
    expect(insideUntil(late, 'UTC', utc('2026-12-04T23:00'))).toEqual({ inside: true, until: utc('2026-12-06T00:00') });
  });

  it('overlapping one-time and weekly windows merge into one stretch', () => {
    const freeze = windows({ oneTime: [{ start: '2026-12-23T00:00', end: '2026-12-27T00:00' }, { start: '2026-12-26T12:00', end: '2027-01-02T00:00' }], weekly: [{ days: ['sat'], start: '00:00', end: '24:00' }] });
    expect(insideUntil(freeze, 'America/New_York', utc('2026-12-24T12:00'))).toEqual({ inside: true, until: utc('2027-01-02T05:00') });
  });

  it('a policy in force outside its windows ("business hours only") lifts when the next window opens', () => {
    const businessHours = policy({ timeZone: 'Asia/Tokyo', windows: { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }] }, applies: 'outside', blocks: ['advance'] });
    expect(inForce(businessHours, utc('2026-12-07T01:00'))).toEqual({ active: false, until: utc('2026-12-07T09:00') });
    expect(inForce(businessHours, utc('2026-12-07T10:00'))).toEqual({ active: true, until: utc('2026-12-08T00:00') });
  });

  it('refuses what cannot be meant: an unknown zone, a window with no length, an end before its start', () => {
    expect(() => policy({ timeZone: 'Mars/Olympus', windows: { weekly: [{ days: ['mon'], start: '09:00', end: '17:00' }] } })).toThrow(/IANA/);
    expect(() => windows({ weekly: [{ days: ['mon'], start: '09:00', end: '09:00' }] })).toThrow(/length/);
    expect(() => windows({ oneTime: [{ start: '2026-12-24T00:00', end: '2026-12-23T00:00' }] })).toThrow(/ends after/);
    expect(() => windows({})).toThrow(/at least one/);
  });
});

describe('deploy policy restrictions', () => {
  const freeze = platformDeployPolicySchema.parse({ name: 'year-end', services: ['checkout*'], windows: { oneTime: [{ start: '2026-12-20T00:00', end: '2027-01-04T00:00' }] }, overrideRole: 'platform admin' });
  const nights = policy({ name: 'nights', windows: { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '20:00', end: '08:00' }] }, blocks: ['advance'] });

  it('names the policy that lifts last, skips what the release has overridden and what does not block the action', () => {
    const covering = policiesFor('checkout', [freeze], [nights]);
    const at = utc('2026-12-21T22:00');
    expect(restrictionOf(covering, 'advance', at, [])).toMatchObject({ policy: 'year-end', scope: 'platform', overrideRole: 'platform admin', until: utc('2027-01-04T00:00') });
    expect(restrictionOf(covering, 'advance', at, ['year-end'])).toMatchObject({ policy: 'nights', until: utc('2026-12-22T08:00') });
    expect(restrictionOf(covering, 'start', at, ['year-end'])).toBeNull();
    expect(policiesFor('payments', [freeze], [])).toEqual([]);
  });

  it('property: a policy is in force at an instant exactly when it is not in force for the other sense, and `until` is a real boundary', () => {
    const hours = windows({ weekly: [{ days: ['mon', 'wed', 'fri'], start: '09:30', end: '17:15' }, { days: ['sun'], start: '23:00', end: '01:00' }] });
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];
    fc.assert(
      fc.property(fc.integer({ min: utc('2026-01-01T00:00'), max: utc('2028-01-01T00:00') }), fc.constantFrom(...zones), (now, zone) => {
        const inside = policy({ timeZone: zone, windows: hours });
        const outside = policy({ timeZone: zone, windows: hours, applies: 'outside' });
        const a = inForce(inside, now);
        expect(inForce(outside, now).active).toBe(!a.active);
        if (a.until === null) return;
        expect(a.until).toBeGreaterThan(now);
        // Just before the boundary the state is the same; at it, it has changed.
        expect(inForce(inside, a.until - 1).active).toBe(a.active);
        expect(inForce(inside, a.until).active).toBe(!a.active);
      }),
      { numRuns: 500, seed: 20261202 },
    );
  });
});

describe('a policy-held release whose build then fails', () => {
  it('gives the queue slot back and says so, as every failed release does', () => {
    const held = releaseIn('pending', { id: 'checkout-b2', build: { id: 'b2', status: 'SUCCESS', commit: 'c2', image: 'img@sha256:2' }, hold: { policy: 'freeze', scope: 'platform', action: 'start', since: T0, until: null, overrideRole: 'approver' } });
    const service = serviceState({}, { activeReleaseId: null, queuedReleaseId: 'checkout-b2' });
    const decision = decide({ service, releases: [releaseIn('complete'), held] }, ev(build('b2', 'FAILURE')), ctxAt(T0));
    expect(decision.releases.find((r) => r.id === 'checkout-b2')).toMatchObject({ state: { phase: 'failed' }, hold: null, nextCheckAt: null });
    expect(decision.service).toMatchObject({ queuedReleaseId: null });
    expect(decision.effects.map((e) => e.kind)).toEqual(['notify']);
  });
});
