import type { AlertPolicyServiceClient, protos } from '@google-cloud/monitoring';
import { UpstreamUnavailableError, type AlertPolicyAuthority, type AlertPolicyFacts } from '../../ports/index.js';
import { Code, codeOf, describeError, withRetries, type RetryPolicy } from './grpc-errors.js';

type AlertPolicy = protos.google.monitoring.v3.IAlertPolicy;

export interface AlertPolicyAuthorityOptions {
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/**
 * AlertPolicyAuthority on Cloud Monitoring's AlertPolicyService (official client): GetAlertPolicy
 * by resource name. NOT_FOUND is "no such policy"; transient errors are retried briefly, then,
 * like PERMISSION_DENIED on a policy a service lists (a deployment problem, not the message's),
 * end as UpstreamUnavailableError: the incident is redelivered, never trusted, never dropped.
 */
export class MonitoringAlertPolicies implements AlertPolicyAuthority {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly client: AlertPolicyServiceClient,
    options: AlertPolicyAuthorityOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.retry = options.retry ?? { attempts: 3, baseDelayMs: 100 };
  }

  async getPolicy(name: string): Promise<AlertPolicyFacts | null> {
    try {
      const [policy] = await withRetries(() => this.client.getAlertPolicy({ name }, { timeout: this.timeoutMs, retry: null }), this.retry);
      return factsOf(policy);
    } catch (error) {
      if (codeOf(error) === Code.NOT_FOUND) return null;
      throw new UpstreamUnavailableError(`Cloud Monitoring GetAlertPolicy ${name}: ${describeError(error)}`, { cause: error });
    }
  }
}

function factsOf(policy: AlertPolicy): AlertPolicyFacts {
  return {
    name: policy.name ?? '',
    displayName: policy.displayName ?? '',
    userLabels: { ...(policy.userLabels ?? {}) },
    // A BoolValue wrapper; absent means enabled.
    enabled: policy.enabled?.value ?? true,
  };
}
