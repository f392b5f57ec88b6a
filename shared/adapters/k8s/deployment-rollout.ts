import { PatchStrategy, setHeaderOptions, type AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import type { Failure } from '../../ports/index.js';

/** The container of a Deployment a colour runs: its image is what a release changes. */
export interface RolloutTarget {
  namespace: string;
  deployment: string;
  container: string;
}

export type RolloutOutcome = { ok: true; image: string } | { ok: 'pending'; status: string } | Failure;

/**
 * Puts an image (pinned by digest) on a Deployment's container through the Kubernetes API
 * (@kubernetes/client-node) and says whether its rollout is done, as `kubectl rollout status`
 * judges it: the controller has seen the change (observedGeneration), every replica is updated
 * and available, and no old one is left. One call does one bounded piece of work: it patches (a
 * JSON Patch whose `test` pins the container by name, so a reordered pod spec is refused rather
 * than patched in the wrong place) or reads, and answers `pending` while the rollout runs. A
 * rollout past its progress deadline is a permanent failure naming it.
 */
export class DeploymentRollout {
  constructor(private readonly apps: AppsV1Api) {}

  async roll(target: RolloutTarget, image: string): Promise<RolloutOutcome> {
    const where = `deployment ${target.namespace}/${target.deployment}`;
    let deployment: V1Deployment;
    try {
      deployment = await this.apps.readNamespacedDeployment({ name: target.deployment, namespace: target.namespace });
    } catch (error) {
      return failure(error, `reading ${where}`);
    }
    const containers = deployment.spec?.template.spec?.containers ?? [];
    const index = containers.findIndex((c) => c.name === target.container);
    if (index < 0) return { ok: false, permanent: true, error: `${where} has no container ${target.container}` };
    if (containers[index]?.image !== image) {
      const path = `/spec/template/spec/containers/${index}`;
      try {
        await this.apps.patchNamespacedDeployment(
          { name: target.deployment, namespace: target.namespace, body: [{ op: 'test', path: `${path}/name`, value: target.container }, { op: 'replace', path: `${path}/image`, value: image }] },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
      } catch (error) {
        return failure(error, `patching ${where}`);
      }
      return { ok: 'pending', status: `${where}: image set to ${image}, rollout started` };
    }
    return rolloutState(deployment, where, image);
  }
}

function rolloutState(d: V1Deployment, where: string, image: string): RolloutOutcome {
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return { ok: false, permanent: true, error: `${where}: rollout of ${image} exceeded its progress deadline (${progressing.message ?? 'new pods never became ready'})` };
  }
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { ok: 'pending', status: `${where}: waiting for the controller to see the change` };
  if ((s.updatedReplicas ?? 0) < want) return { ok: 'pending', status: `${where}: ${s.updatedReplicas ?? 0} of ${want} replicas updated` };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return { ok: 'pending', status: `${where}: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return { ok: 'pending', status: `${where}: ${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} updated replicas available` };
  return { ok: true, image };
}

/** 4xx other than conflicts and throttling are the request's fault (permanent); the rest is transient. */
function failure(error: unknown, what: string): Failure {
  const code = (error as { code?: number }).code ?? 0;
  const permanent = code >= 400 && code < 500 && code !== 409 && code !== 429 && code !== 401 && code !== 403;
  const body = (error as { body?: unknown }).body;
  const message = typeof body === 'string' ? body.slice(0, 300) : error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  return { ok: false, permanent, error: `Kubernetes API ${what}: ${code || ''} ${message}`.trim() };
}
