/**
 * The authority on alert policies (Cloud Monitoring's AlertPolicyService). An incident message is
 * a claim anyone able to publish on the alerts topic can make; the policy it names is a fact only
 * once this answers for it. `null`: no such policy. Throws UpstreamUnavailableError when it cannot
 * be asked now: an incident is never trusted, nor dropped, for want of an answer.
 */
export interface AlertPolicyFacts {
  /** projects/P/alertPolicies/ID */
  name: string;
  displayName: string;
  userLabels: Record<string, string>;
  enabled: boolean;
}

export interface AlertPolicyAuthority {
  getPolicy(name: string): Promise<AlertPolicyFacts | null>;
}
