import { UpstreamUnavailableError, type AlertPolicyAuthority, type AlertPolicyFacts } from '../../shared/ports/index.js';

/**
 * An in-memory AlertPolicyAuthority that behaves as Cloud Monitoring's AlertPolicyService behind
 * MonitoringAlertPolicies (both pass test/contracts/alert-policy-contract.ts): an unknown policy is
 * null, another project's cannot be asked about, and while `unavailable` every call fails.
 */
export class FakeAlertPolicies implements AlertPolicyAuthority {
  private readonly policies = new Map<string, AlertPolicyFacts>();
  readonly asked: string[] = [];
  unavailable = 0;

  constructor(private readonly project = 'demo-project') {}

  put(policy: Partial<AlertPolicyFacts> & { name: string; displayName: string }): void {
    this.policies.set(policy.name, { userLabels: {}, enabled: true, ...structuredClone(policy) });
  }

  getPolicy(name: string): Promise<AlertPolicyFacts | null> {
    this.asked.push(name);
    if (this.unavailable > 0) {
      this.unavailable -= 1;
      return Promise.reject(new UpstreamUnavailableError(`GetAlertPolicy ${name}: UNAVAILABLE`));
    }
    if (!name.startsWith(`projects/${this.project}/`)) return Promise.reject(new UpstreamUnavailableError(`GetAlertPolicy ${name}: PERMISSION_DENIED`));
    const found = this.policies.get(name);
    return Promise.resolve(found ? structuredClone(found) : null);
  }
}
