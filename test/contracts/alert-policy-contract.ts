import { describe, expect, it } from 'vitest';
import { UpstreamUnavailableError, type AlertPolicyAuthority, type AlertPolicyFacts } from '../../shared/ports/index.js';

export interface AlertPolicyAuthorityUnderTest {
  authority: AlertPolicyAuthority;
  /** The API now knows this policy, in demo-project. */
  know(policy: AlertPolicyFacts): void;
  /** The next `times` calls fail as the API being unavailable (after any retries of the adapter). */
  breakFor(times: number): void;
  teardown(): Promise<void>;
}

const POLICY: AlertPolicyFacts = { name: 'projects/demo-project/alertPolicies/1234', displayName: 'checkout 5xx ratio', userLabels: { team: 'checkout' }, enabled: true };

/** The contract every AlertPolicyAuthority adapter passes (the in-memory fake, and AlertPolicyService through the official client). */
export function alertPolicyContract(name: string, setup: () => Promise<AlertPolicyAuthorityUnderTest>): void {
  describe(`AlertPolicyAuthority contract: ${name}`, () => {
    const run = (title: string, body: (t: AlertPolicyAuthorityUnderTest) => Promise<void>) =>
      it(title, async () => {
        const t = await setup();
        try {
          await body(t);
        } finally {
          await t.teardown();
        }
      });

    run('answers a policy it knows: name, display name, user labels, enabled', async (t) => {
      t.know(POLICY);
      expect(await t.authority.getPolicy(POLICY.name)).toEqual(POLICY);
      t.know({ ...POLICY, name: 'projects/demo-project/alertPolicies/5678', enabled: false });
      expect(await t.authority.getPolicy('projects/demo-project/alertPolicies/5678')).toMatchObject({ enabled: false });
    });

    run('knows nothing of a policy never created', async (t) => {
      expect(await t.authority.getPolicy('projects/demo-project/alertPolicies/999')).toBeNull();
    });

    run('cannot be asked about another project\'s policy: unavailable, never "no" and never trusted', async (t) => {
      await expect(t.authority.getPolicy('projects/attacker-project/alertPolicies/1')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    run('says it is unavailable when the API cannot answer, and answers once it can', async (t) => {
      t.know(POLICY);
      t.breakFor(1);
      await expect(t.authority.getPolicy(POLICY.name)).rejects.toBeInstanceOf(UpstreamUnavailableError);
      expect(await t.authority.getPolicy(POLICY.name)).toMatchObject({ displayName: 'checkout 5xx ratio' });
    });
  });
}
