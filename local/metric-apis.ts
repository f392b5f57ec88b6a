import { AlertPolicyServiceClient, MetricServiceClient } from '@google-cloud/monitoring';
import { MonitoringAlertPolicies } from '../shared/adapters/gcp/alert-policy-authority.js';
import { LocalAlertPolicies } from './alert-policies.js';
import { MonitoringRequestCounts } from '../shared/adapters/gcp/monitoring-counts.js';
import { PrometheusQueryProvider } from '../shared/adapters/gcp/prometheus-query.js';
import { LocalMonitoring } from './monitoring.js';
import { LocalPrometheus, type Series } from './prometheus.js';
import type { LocalFleet } from './router/fleet.js';
import type { LocalRouter } from './router/proxy.js';

/**
 * The local stand-ins for Cloud Monitoring's APIs (and its alert policies, which onAlert verifies incidents against), both answering from the local router's own
 * counters (entries anyone publishes on the request-log topic are not in them): the
 * MetricService that confirms the request-log stream before a step advances (with a visibility
 * delay), and the Prometheus API the services' custom metrics are asked. Production's adapters
 * talk to them unchanged.
 */
export interface LocalMetricApis {
  monitoring: LocalMonitoring;
  prometheus: LocalPrometheus;
  confirm: MonitoringRequestCounts;
  metrics: PrometheusQueryProvider;
  /** AlertPolicyService, holding the local service's alert policy; onAlert verifies incidents against it. */
  alertPolicies: MonitoringAlertPolicies;
  policies: LocalAlertPolicies;
  close(): Promise<void>;
}

/** The local service's alert policy, as rollbackTriggers lists it and the local AlertPolicyService knows it. */
export const localPolicyName = (project: string, service: string): string => `projects/${project}/alertPolicies/${service}-5xx`;

/** `routerOf`: the local router that counted a revision's requests (a load balancer's stream service names its own). */
export async function startLocalMetricApis(fleet: LocalFleet, project: string, delayMs: number, routerOf: (service: string, revision: string) => LocalRouter | undefined = (s, r) => fleet.routerOf(s, r)): Promise<LocalMetricApis> {
  const monitoring = new LocalMonitoring((service, revision, from, to) => routerOf(service, revision)?.countersFor(revision).window(from, to - 1) ?? { requests: 0, errors: 0 }, delayMs);
  await monitoring.start();
  const client = new MetricServiceClient({ ...monitoring.server.clientOptions(), projectId: project });
  const started = Date.now();
  const prometheus = new LocalPrometheus(() => routerSeries(fleet, started));
  await prometheus.start();
  const policies = new LocalAlertPolicies(project);
  await policies.start();
  const policyClient = new AlertPolicyServiceClient({ ...policies.clientOptions(), projectId: project });
  return {
    monitoring,
    prometheus,
    confirm: new MonitoringRequestCounts(client, { visibilityDelayMs: delayMs, alignMs: 1_000 }),
    metrics: new PrometheusQueryProvider(prometheus.url),
    alertPolicies: new MonitoringAlertPolicies(policyClient),
    policies,
    close: async () => {
      await Promise.all([client.close(), policyClient.close()]);
      await Promise.all([monitoring.stop(), prometheus.stop(), policies.stop()]);
    },
  };
}

/** Every revision's request counts as counters by response class, named as Managed Service for Prometheus names Cloud Run's request_count. */
function routerSeries(fleet: LocalFleet, since: number): Series[] {
  return [...fleet.services.entries()].flatMap(([service, route]) =>
    [...route.revisions.keys()].flatMap((revision) => {
      const counted = (at: number) => route.router.countersFor(revision).window(since, at);
      const labels = (cls: string) => ({ service_name: service, revision_name: revision, response_code_class: cls });
      return [
        { name: 'run_googleapis_com:request_count', labels: labels('2xx'), valueAt: (at: number) => { const c = counted(at); return c.requests - c.errors; } },
        { name: 'run_googleapis_com:request_count', labels: labels('5xx'), valueAt: (at: number) => counted(at).errors },
      ];
    }),
  );
}
