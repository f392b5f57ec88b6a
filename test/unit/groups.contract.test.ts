import { describe, expect, it } from 'vitest';
import { CloudIdentityGroups } from '../../shared/adapters/auth/cloud-identity-groups.js';
import { UpstreamUnavailableError, type GroupDirectory } from '../../shared/ports/index.js';
import { FakeCloudIdentityApi, FakeGroups, type Directory } from '../fakes/groups.js';

const DIRECTORY: Directory = { 'oncall@example.com': ['ann@example.com', 'sre@example.com'], 'sre@example.com': ['bob@example.com'], 'empty@example.com': [] };

function groupsContract(name: string, setup: (d: Directory) => Promise<{ groups: GroupDirectory; breakNext: () => void; teardown: () => Promise<void> }>) {
  describe(`GroupDirectory contract: ${name}`, () => {
    it('finds direct and nested membership, and nothing else', async () => {
      const t = await setup(DIRECTORY);
      try {
        expect(await t.groups.memberOf('Ann@example.com', ['oncall@example.com', 'empty@example.com', 'unknown@example.com'])).toEqual(new Set(['oncall@example.com']));
        expect(await t.groups.memberOf('bob@example.com', ['oncall@example.com', 'sre@example.com'])).toEqual(new Set(['oncall@example.com', 'sre@example.com']));
        expect(await t.groups.memberOf('eve@example.com', ['oncall@example.com'])).toEqual(new Set());
      } finally {
        await t.teardown();
      }
    });
    it('an API that cannot answer is unavailable, never "not a member" and never "member"', async () => {
      const t = await setup(DIRECTORY);
      try {
        t.breakNext();
        await expect(t.groups.memberOf('ann@example.com', ['oncall@example.com'])).rejects.toBeInstanceOf(UpstreamUnavailableError);
      } finally {
        await t.teardown();
      }
    });
  });
}

groupsContract('FakeGroups', (d) => {
  const groups = new FakeGroups(d);
  return Promise.resolve({ groups, breakNext: () => (groups.unavailable = 1), teardown: () => Promise.resolve() });
});

groupsContract('CloudIdentityGroups on the Cloud Identity Groups API (HTTP on 127.0.0.1)', async (d) => {
  const api = new FakeCloudIdentityApi(d);
  const baseUrl = await api.start();
  const requester = { request: async <T,>(o: { url: string }) => {
    const res = await fetch(o.url);
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { response: { status: res.status } });
    return { data: (await res.json()) as T };
  } };
  return { groups: new CloudIdentityGroups({ baseUrl, requester, ttlMs: 0 }), breakNext: () => (api.failNext = 1), teardown: () => api.stop() };
});

describe('CloudIdentityGroups caching', () => {
  it('reuses an answer within its ttl and asks again after it', async () => {
    const api = new FakeCloudIdentityApi(DIRECTORY);
    const baseUrl = await api.start();
    let now = 0;
    const requester = { request: async <T,>(o: { url: string }) => ({ data: (await (await fetch(o.url)).json()) as T }) };
    const groups = new CloudIdentityGroups({ baseUrl, requester, ttlMs: 60_000, clock: () => now });
    try {
      await groups.memberOf('ann@example.com', ['oncall@example.com']);
      const asked = api.requests.length;
      await groups.memberOf('ann@example.com', ['oncall@example.com']);
      expect(api.requests.length).toBe(asked);
      now += 60_001;
      await groups.memberOf('ann@example.com', ['oncall@example.com']);
      expect(api.requests.length).toBe(asked + 2);
    } finally {
      await api.stop();
    }
  });
});
