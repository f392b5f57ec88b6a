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
 * Whether a kind can start a baseline twin (a fresh copy of the stable beside the candidate). A
 * blue/green pair has two environments and no third: the live colour is the baseline there.
 */
export const startsTwins = (kind: TargetKind): boolean => kind !== 'gke-lb';
