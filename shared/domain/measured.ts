import type { RouterConfig, TargetKind } from './targets.js';

/**
 * Where a target kind's request figures come from, declared per kind beside its config: the key
 * the request-log stream files a sample under, and the Google-written series that confirm it.
 * Cloud Run's requests are logged and counted per revision; a load balancer's per URL map and
 * backend service, so on GKE a colour is measured as its backend service, and the live colour is
 * the baseline the candidate colour is compared with.
 */
export interface MeasuredAs {
  /** The request stream's key (what parseRequestLog files an entry under). */
  stream: { service: string; revision: string };
  /** Cloud Monitoring's own series of the same requests. */
  monitoring: { resource: string; requestCount: string; latencies: string };
  /**
   * Whether Cutover adds this revision to its request-log sink's filter. A load balancer's logs
   * are exported by the platform's own sink for its backend services (infra/modules/gke-lb).
   */
  sinkPerRevision: boolean;
}

interface Measurable {
  kind: TargetKind;
  service: string;
  gke?: Extract<RouterConfig, { kind: 'gke-lb' }>;
}

/** The stream key of a load balancer's requests: a URL map is not a Cutover service, and a dot keeps the two apart. */
export const loadBalancerStreamService = (urlMap: string): string => `lb.${urlMap}`;

export const backendServiceName = (resource: string): string => resource.slice(resource.lastIndexOf('/') + 1);

const cloudRunRevision = (service: string, revision: string): MeasuredAs => ({
  stream: { service, revision },
  monitoring: {
    resource: `resource.type = "cloud_run_revision" AND resource.labels.service_name = "${service}" AND resource.labels.revision_name = "${revision}"`,
    requestCount: 'run.googleapis.com/request_count',
    latencies: 'run.googleapis.com/request_latencies',
  },
  sinkPerRevision: true,
});

const MEASURED: Record<TargetKind, (target: Measurable, revision: string) => MeasuredAs | null> = {
  'cloud-run': (t, revision) => cloudRunRevision(t.service, revision),
  local: (t, revision) => cloudRunRevision(t.service, revision),
  'gke-lb': (t, revision) => {
    const colour = revision === 'blue' || revision === 'green' ? t.gke?.colours[revision] : undefined;
    if (!t.gke || !colour) return null;
    const urlMap = t.gke.urlMap.name;
    const backend = backendServiceName(colour.backendService);
    return {
      stream: { service: loadBalancerStreamService(urlMap), revision: backend },
      // Requests the load balancer sent to the backend: Cloud CDN's cache hits reach neither colour.
      monitoring: {
        resource: `resource.type = "https_lb_rule" AND resource.labels.url_map_name = "${urlMap}" AND resource.labels.backend_target_name = "${backend}"`,
        requestCount: 'loadbalancing.googleapis.com/https/backend_request_count',
        latencies: 'loadbalancing.googleapis.com/https/backend_latencies',
      },
      sinkPerRevision: false,
    };
  },
};

/** How a revision (on GKE, a colour) of this target is measured; null when the target does not have it. */
export function measuredAs(target: Measurable, revision: string): MeasuredAs | null {
  return MEASURED[target.kind](target, revision);
}

/** Cloud Run labels a response class "5xx"; the load balancer's metrics by its first code, 500. */
export const isErrorClass = (responseCodeClass: string | null | undefined): boolean => responseCodeClass === '5xx' || responseCodeClass === '500';
