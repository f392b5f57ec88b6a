import { describe, expect, it } from 'vitest';
import { RELEASE_ID_RULE } from '../../shared/domain/names.js';
import { releaseRows, withRegionsUnder } from '../../shared/views/rows.js';
import { T0, releaseIn } from '../support/fixtures.js';

describe('releases in several regions, as the CLI and the page list them', () => {
  const rollout = releaseIn('shifting', { id: 'globe-b2', service: 'globe', rollout: { wave: 1, soakUntil: null }, createdAt: T0 + 10 });
  const region = (name: string, at: number) => releaseIn('complete', { id: `globe-b2@${name}`, service: 'globe', target: name, createdAt: at });
  const older = releaseIn('complete', { id: 'globe-b1', service: 'globe', rollout: { wave: 1, soakUntil: null }, createdAt: T0 });

  it('puts each region right under its release, in the order the regions started, and says where each stands', () => {
    const listed = [region('us-central1', T0 + 30), rollout, region('europe-west1', T0 + 20), older];
    expect(withRegionsUnder(listed).map((r) => r.id)).toEqual(['globe-b2', 'globe-b2@europe-west1', 'globe-b2@us-central1', 'globe-b1']);
    const rows = releaseRows(listed).rows;
    expect(rows.map((r) => r[2])).toEqual(['wave:2', 'region:europe-west1', 'region:us-central1', 'wave:2']);
  });

  it('shows a soaking wave with the end of its soak, and a region whose release is not listed stays in place', () => {
    const soaking = { ...rollout, rollout: { wave: 0, soakUntil: T0 + 60_000 } };
    expect(releaseRows([soaking]).rows[0]?.[2]).toBe('wave:1,soaking-until:2026-11-27T12:01:00Z');
    expect(withRegionsUnder([region('asia-northeast1', T0)]).map((r) => r.id)).toEqual(['globe-b2@asia-northeast1']);
  });
});

describe('the id of a region\'s release', () => {
  it('is accepted where release ids are (onCommand, chat): the rollout\'s id and a region name; nothing else after the @', () => {
    for (const id of ['globe-b1@europe-west1', 'checkout-4f2a@us-central1']) expect(RELEASE_ID_RULE.test(id), id).toBe(true);
    for (const id of ['globe-b1@../x', 'globe-b1@Europe', 'globe-b1@', '@europe-west1', 'globe-b1@eu@us', 'globe-b1@eu/x']) expect(RELEASE_ID_RULE.test(id), id).toBe(false);
  });
});
