import { z } from 'zod';

/**
 * The kinds of target a service can be released to, declared once, each with the config block a
 * service writes under `router`. The service config's schema is the union of these; the wiring
 * builds one deployer and splitter per kind (shared/targets/registry.ts); the runtime dispatches
 * every step effect on the kind the service names, so one installation releases services of
 * every kind side by side.
 */
const name = z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and "-", starting with a letter');

/** One colour of a blue/green pair on GKE: the Deployment that runs it, the backend service the load balancer sends it traffic through. */
const colourSchema = z.object({ deployment: name, backendService: z.string().regex(/^projects\/[^/]+\/global\/backendServices\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'projects/P/global/backendServices/NAME') }).strict();

export const TARGET_SCHEMAS = {
  'cloud-run': z
    .object({
      kind: z.literal('cloud-run').default('cloud-run'),
      /** The routed service's own name, when it differs from the Cutover service name. */
      target: z.string().optional(),
    })
    .strict(),
  local: z.object({ kind: z.literal('local'), target: z.string().optional() }).strict(),
  /**
   * Blue/green on GKE behind a global external Application Load Balancer: a release deploys into
   * the idle colour's Deployment and moves the weights of Cutover's route rule in the URL map.
   */
  'gke-lb': z
    .object({
      kind: z.literal('gke-lb'),
      target: z.string().optional(),
      /** projects/P/locations/L/clusters/C */
      cluster: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/clusters\/[^/]+$/, 'projects/P/locations/L/clusters/C'),
      namespace: name,
      /** The container in each colour's pod template that runs the service's image. */
      container: name.default('app'),
      colours: z.object({ blue: colourSchema, green: colourSchema }).strict(),
      urlMap: z.object({ name, pathMatcher: name, priority: z.number().int().min(0).max(2_147_483_647) }).strict(),
      /**
       * Requests with this header value reach the candidate at any weight, 0% included (QA before
       * any user). `url`: the load balancer's address; verification checks go through it with the
       * header, so they reach the candidate colour (without it a GKE release has no URL to check).
       */
      cohort: z
        .object({
          header: z.string().regex(/^[a-z0-9-]{1,64}$/).default('x-cutover-cohort'),
          value: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default('canary'),
          priority: z.number().int().min(0).max(2_147_483_647),
          url: z.string().url().regex(/^https?:\/\//, 'an http(s) URL').optional(),
          /** A cookie that joins the cohort too (`name=value`, the same value): for people testing in a browser. */
          cookie: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .refine((r) => r.colours.blue.deployment !== r.colours.green.deployment && r.colours.blue.backendService !== r.colours.green.backendService, 'blue and green are two Deployments behind two backend services')
    .refine((r) => !r.cohort || r.cohort.priority < r.urlMap.priority, 'the cohort rule matches first: its priority is lower than the weighted rule\'s'),
} as const;

export type TargetKind = keyof typeof TARGET_SCHEMAS;
export const TARGET_KINDS = Object.keys(TARGET_SCHEMAS) as [TargetKind, ...TargetKind[]];
export type RouterConfig = { [K in TargetKind]: z.output<(typeof TARGET_SCHEMAS)[K]> }[TargetKind];

/** The `router` block of a service config: one of the kinds' blocks, chosen by `kind` (Cloud Run when absent). */
export const routerSchema = z
  .union([TARGET_SCHEMAS['cloud-run'], TARGET_SCHEMAS.local, TARGET_SCHEMAS['gke-lb']])
  .default({ kind: 'cloud-run' })
  .describe('Where releases go: kind cloud-run (default), local, or gke-lb (docs/architecture.md, Targets)');

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

/** What a kind is told of its target: its name, and the service's whole `router` block when it says more than the kind. */
interface Measurable {
  kind: TargetKind;
  service: string;
  settings?: RouterConfig;
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

/** How a revision (on GKE, a colour) of this target is measured; null when the target does not have it. */
export function measuredAs(target: Measurable, revision: string): MeasuredAs | null {
  return TARGET_TRAITS[target.kind].measuredAs(target, revision);
}

/** Cloud Run labels a response class "5xx"; the load balancer's metrics by its first code, 500. */
export const isErrorClass = (responseCodeClass: string | null | undefined): boolean => responseCodeClass === '5xx' || responseCodeClass === '500';

/**
 * What the domain knows of each kind beyond its config block: how a revision of it is measured,
 * whether a baseline twin can be started beside the candidate (a blue/green pair has two
 * environments and no third: the live colour is the baseline there), and what people call the
 * version that serves.
 */
export interface TargetTraits {
  measuredAs(target: Measurable, revision: string): MeasuredAs | null;
  startsTwins: boolean;
  /** What people are shown the serving version as ("stable" revision, "live colour"). */
  liveLabel: string;
  /**
   * The same router block names a separate service in each region, so a release can go region by
   * region (rollout.waves). Not so behind one global load balancer, whose URL map and colours are
   * shared by every region.
   */
  regional: boolean;
}

export const TARGET_TRAITS: Record<TargetKind, TargetTraits> = {
  'cloud-run': { measuredAs: (t, revision) => cloudRunRevision(t.service, revision), startsTwins: true, liveLabel: 'stable', regional: true },
  local: { measuredAs: (t, revision) => cloudRunRevision(t.service, revision), startsTwins: true, liveLabel: 'stable', regional: true },
  'gke-lb': { measuredAs: (t, revision) => backendOfColour(t, revision), startsTwins: false, liveLabel: 'live colour', regional: false },
};

/** On GKE a colour is measured as its backend service behind the URL map. */
function backendOfColour(t: Measurable, revision: string): MeasuredAs | null {
  const gke = t.settings?.kind === 'gke-lb' ? t.settings : undefined;
  const colour = revision === 'blue' || revision === 'green' ? gke?.colours[revision] : undefined;
  if (!gke || !colour) return null;
  const urlMap = gke.urlMap.name;
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
}

