import { describe, expect, it } from 'vitest';
import { ROLE_FOR, accessSchema, groupsNamed, mayDo, principalMatches, rolesOf } from '../../shared/domain/index.js';

const access = accessSchema.parse({
  operators: ['group:oncall@example.com', 'domain:ops.example.com'],
  approvers: ['user:lead@example.com'],
  owners: ['serviceAccount:deployer@p.iam.gserviceaccount.com'],
});
const none = new Set<string>();

describe('access: roles from the service config, principals in IAM syntax', () => {
  it('each kind of principal names the caller it should, and no other', () => {
    expect(principalMatches('user:Lead@Example.com', 'lead@example.com', none)).toBe(true);
    expect(principalMatches('user:lead@example.com', 'lead@example.com.evil', none)).toBe(false);
    expect(principalMatches('domain:example.com', 'a@example.com', none)).toBe(true);
    expect(principalMatches('domain:example.com', 'a@notexample.com', none)).toBe(false);
    expect(principalMatches('domain:example.com', 'a@sub.example.com', none)).toBe(false);
    expect(principalMatches('group:oncall@example.com', 'a@x.com', new Set(['oncall@example.com']))).toBe(true);
    expect(principalMatches('group:oncall@example.com', 'oncall@example.com', none)).toBe(false);
  });

  it('roles nest: owner ⊃ approver ⊃ operator; admins hold every role; strangers none', () => {
    expect(rolesOf('deployer@p.iam.gserviceaccount.com', access, [], none)).toEqual(['operator', 'approver', 'owner']);
    expect(rolesOf('lead@example.com', access, [], none)).toEqual(['operator', 'approver']);
    expect(rolesOf('x@ops.example.com', access, [], none)).toEqual(['operator']);
    expect(rolesOf('y@x.com', access, [], new Set(['oncall@example.com']))).toEqual(['operator']);
    expect(rolesOf('stranger@example.com', access, [], none)).toEqual([]);
    expect(rolesOf('root@example.com', null, ['user:root@example.com'], none)).toEqual(['operator', 'approver', 'owner']);
    expect(rolesOf('root@example.com', null, [], none)).toEqual([]);
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
