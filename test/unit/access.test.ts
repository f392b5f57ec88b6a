import { describe, expect, it } from 'vitest';
import { ROLE_FOR, accessSchema, groupsNamed, mayDo, principalMatches, rolesOf } from '../../shared/domain/index.js';

const access = accessSchema.parse({
  operators: ['group:oncall@example.com', 'domain:ops.example.com'],
  approvers: ['user:lead@example.com'],
  owners: ['serviceAccount:deployer@p.iam.gserviceaccount.com'],
});
const none = new Set<string>();
const who = (email: string) => ({ email, hostedDomain: null });

describe('access: roles from the service config, principals in IAM syntax', () => {
  it('each kind of principal names the caller it should, and no other', () => {
    expect(principalMatches('user:Lead@Example.com', who('lead@example.com'), none)).toBe(true);
    expect(principalMatches('user:lead@example.com', who('lead@example.com.evil'), none)).toBe(false);
    // domain: is the token's hosted domain, never the email's suffix (anyone can make a Google account with any address).
    expect(principalMatches('domain:example.com', { email: 'a@example.com', hostedDomain: 'example.com' }, none)).toBe(true);
    expect(principalMatches('domain:example.com', who('a@example.com'), none)).toBe(false);
    expect(principalMatches('domain:example.com', { email: 'a@notexample.com', hostedDomain: 'notexample.com' }, none)).toBe(false);
    expect(principalMatches('domain:example.com', { email: 'a@sub.example.com', hostedDomain: 'sub.example.com' }, none)).toBe(false);
    expect(principalMatches('group:oncall@example.com', who('a@x.com'), new Set(['oncall@example.com']))).toBe(true);
    expect(principalMatches('group:oncall@example.com', who('oncall@example.com'), none)).toBe(false);
  });

  it('roles nest: owner ⊃ approver ⊃ operator; admins hold every role; strangers none', () => {
    expect(rolesOf(who('deployer@p.iam.gserviceaccount.com'), access, [], none)).toEqual(['operator', 'approver', 'owner']);
    expect(rolesOf(who('lead@example.com'), access, [], none)).toEqual(['operator', 'approver']);
    expect(rolesOf({ email: 'x@ops.example.com', hostedDomain: 'ops.example.com' }, access, [], none)).toEqual(['operator']);
    expect(rolesOf(who('y@x.com'), access, [], new Set(['oncall@example.com']))).toEqual(['operator']);
    expect(rolesOf(who('stranger@example.com'), access, [], none)).toEqual([]);
    expect(rolesOf(who('root@example.com'), null, ['user:root@example.com'], none)).toEqual(['operator', 'approver', 'owner']);
    expect(rolesOf(who('root@example.com'), null, [], none)).toEqual([]);
  });

  it('each action needs its role', () => {
    expect(Object.entries(ROLE_FOR).filter(([action]) => mayDo(action as keyof typeof ROLE_FOR, ['operator'])).map(([a]) => a).sort()).toEqual(['abort', 'pause', 'resume', 'rollback']);
    expect(mayDo('promote', ['operator'])).toBe(false);
    expect(mayDo('approve', ['operator', 'approver'])).toBe(true);
    expect(mayDo('apply', ['operator', 'approver'])).toBe(false);
  });

  it('names the groups worth resolving, once each', () => {
    expect(groupsNamed(accessSchema.parse({ operators: ['group:A@x.com', 'group:a@x.com'], owners: ['group:b@x.com', 'user:c@x.com'] }))).toEqual(['a@x.com', 'b@x.com']);
  });

  it('refuses principals not in IAM syntax', () => {
    for (const bad of ['lead@example.com', 'user:', 'user:nobody', 'group:a b@x.com', 'domain:', 'allUsers', 'role:x@y.z']) {
      expect(accessSchema.safeParse({ operators: [bad] }).success, bad).toBe(false);
    }
  });
});
