import type { RevisionsClient, ServicesClient, protos } from '@google-cloud/run';
import type { DeployCandidate, RouterTarget, SetTraffic } from '../../domain/index.js';
import type { DeployOutcome, Failure, TrafficOutcome, TrafficRouter } from '../../ports/index.js';
import { Code, codeOf, describeError, isConflict, isTransient, withRetries, type RetryPolicy } from './grpc-errors.js';
import { BASELINE_TAG, CANDIDATE_TAG, observedPercent, planDeploy, planSplit, planTagged, servingRevision, type Target } from './run-traffic.js';

type Service = protos.google.cloud.run.v2.IService;
type Revision = protos.google.cloud.run.v2.IRevision;
type RunTarget = protos.google.cloud.run.v2.ITrafficTarget;
const asRun = (targets: Target[]) => targets as RunTarget[];
const asPlain = (targets: RunTarget[] | null | undefined) => (targets ?? []) as Target[];

export interface CloudRunRouterOptions {
  retry?: RetryPolicy;
}

/**
 * TrafficRouter for Cloud Run (Admin API v2). Deploys the candidate as a revision with a
 * deterministic name at 0% (tagged `candidate`, so it has its own URL), moves the split with the
 * service's etag (a concurrent change is re-read and retried), and reads back what is served.
 * Errors are outcomes: PERMISSION_DENIED, NOT_FOUND and INVALID_ARGUMENT are permanent, with a reason.
 */
export class CloudRunRouter implements TrafficRouter {
  private readonly retry: RetryPolicy;

  constructor(
    private readonly services: ServicesClient,
    private readonly revisions: RevisionsClient,
    options: CloudRunRouterOptions = {},
  ) {
    this.retry = options.retry ?? { attempts: 5, baseDelayMs: 200 };
  }

  private servicePath(target: RouterTarget): string {
    return this.services.servicePath(target.project, target.region, target.service);
  }

  async deployCandidate(effect: DeployCandidate): Promise<DeployOutcome> {
    const name = this.servicePath(effect.router);
    try {
      const revisionName = `${name}/revisions/${effect.revisionName}`;
      let revision = await this.findRevision(revisionName);
      if (revision === null) {
        await withRetries(async () => {
          const current = await this.get(name);
          const template = { ...current.template, revision: effect.revisionName, containers: withImage(current.template?.containers, effect.image) };
          const traffic = asRun(planDeploy(asPlain(current.traffic), asPlain(current.trafficStatuses), current.latestReadyRevision, effect.revisionName));
          await this.update({ name, etag: current.etag, template, traffic }, ['template', 'traffic']);
        }, this.retry);
        revision = await this.findRevision(revisionName);
      }
      // One read of the revision per request: a later poll (the release's next check) reads it again.
      const ready = readiness(revision);
      if (ready.state === 'failed') return { ok: false, permanent: true, error: `revision ${effect.revisionName} failed to become ready: ${ready.message}` };
      // Not ready yet: say so and return; the release asks again in its own request (no 5-minute wait here).
      if (ready.state === 'pending') return { ok: 'pending', revision: effect.revisionName, status: ready.message };
      const service = await withRetries(() => this.get(name), this.retry);
      const url = service.trafficStatuses?.find((s) => s.tag === CANDIDATE_TAG && s.revision === effect.revisionName)?.uri ?? null;
      // What serves besides the candidate (at 0% now) is the stable a rollback returns to.
      const stableRevision = servingRevision(asPlain(service.trafficStatuses), service.latestReadyRevision, effect.revisionName);
      const twin = effect.baselineRevisionName && stableRevision ? await this.deployTwin(name, stableRevision, effect.baselineRevisionName) : null;
      if (twin && twin.state === 'failed') return { ok: false, permanent: true, error: `baseline twin ${effect.baselineRevisionName ?? ''} failed to become ready: ${twin.message}` };
      if (twin && twin.state === 'pending') return { ok: 'pending', revision: effect.revisionName, status: `baseline twin: ${twin.message}` };
      return { ok: true, revision: effect.revisionName, url, stableRevision, baselineRevision: twin ? effect.baselineRevisionName : null };
    } catch (error) {
      return failure(error, `deploying ${effect.revisionName} to ${name}`);
    }
  }

  /**
   * The baseline twin: a fresh revision of the stable's containers (image, env, resources) on the
   * service's template, named deterministically and tagged `baseline` at 0%, created once; then
   * its readiness, read once per request like the candidate's.
   */
  private async deployTwin(name: string, stable: string, twinName: string): Promise<ReturnType<typeof readiness>> {
    const twinPath = `${name}/revisions/${twinName}`;
    let twin = await this.findRevision(twinPath);
    if (twin === null) {
      const [stableRevision] = await withRetries(() => this.revisions.getRevision({ name: `${name}/revisions/${stable}` }), this.retry);
      await withRetries(async () => {
        const current = await this.get(name);
        const template = { ...current.template, revision: twinName, containers: stableRevision.containers?.length ? stableRevision.containers : current.template?.containers };
        const traffic = asRun(planTagged(asPlain(current.traffic), current.latestReadyRevision, twinName, BASELINE_TAG));
        await this.update({ name, etag: current.etag, template, traffic }, ['template', 'traffic']);
      }, this.retry);
      twin = await this.findRevision(twinPath);
    }
    return readiness(twin);
  }

  async setTraffic(effect: SetTraffic): Promise<TrafficOutcome> {
    const name = this.servicePath(effect.router);
    try {
      const updated = await withRetries(async () => {
        const current = await this.get(name);
        const stable = effect.stableRevision ?? servingRevision(asPlain(current.trafficStatuses), current.latestReadyRevision, effect.candidateRevision);
        if (!stable) throw Object.assign(new Error(`no stable revision serves ${name}`), { code: Code.FAILED_PRECONDITION, permanent: true });
        const traffic = planSplit(asPlain(current.traffic), asPlain(current.trafficStatuses), current.latestReadyRevision, stable, effect.candidateRevision, effect.candidatePercent, effect.baselineRevision, effect.baselinePercent);
        if (sameTraffic(asPlain(current.traffic), traffic)) return current;
        return this.update({ name, etag: current.etag, traffic: asRun(traffic) }, ['traffic']);
      }, this.retry);
      return { ok: true, observedPercent: observedPercent(asPlain(updated.trafficStatuses), updated.latestReadyRevision, effect.candidateRevision) };
    } catch (error) {
      return failure(error, `setting traffic on ${name}`);
    }
  }

  private async get(name: string): Promise<Service> {
    const [service] = await this.services.getService({ name });
    return service;
  }

  private async update(service: Service, paths: string[]): Promise<Service> {
    const [operation] = await this.services.updateService({ service, updateMask: { paths } });
    const [result] = await operation.promise();
    return result;
  }

  /** The revision, or null when it does not exist (yet). */
  private async findRevision(name: string): Promise<Revision | null> {
    try {
      const [revision] = await withRetries(() => this.revisions.getRevision({ name }), this.retry);
      return revision;
    } catch (error) {
      if (codeOf(error) === Code.NOT_FOUND) return null;
      throw error;
    }
  }
}

/** A revision's Ready condition: ready, failed (with Cloud Run's message), or still coming up. */
function readiness(revision: Revision | null): { state: 'ready' | 'failed' | 'pending'; message: string } {
  const ready = revision?.conditions?.find((c) => c.type === 'Ready');
  const state = String(ready?.state ?? '');
  if (state === 'CONDITION_SUCCEEDED') return { state: 'ready', message: '' };
  if (state === 'CONDITION_FAILED') return { state: 'failed', message: ready?.message ?? 'the Ready condition failed' };
  return { state: 'pending', message: `${state || 'no Ready condition yet'}${ready?.message ? `: ${ready.message}` : ''}` };
}

function withImage(containers: protos.google.cloud.run.v2.IContainer[] | null | undefined, image: string): protos.google.cloud.run.v2.IContainer[] {
  const list = containers?.length ? containers.map((c) => ({ ...c })) : [{}];
  list[0] = { ...list[0], image };
  return list;
}

const key = (t: Target) => `${t.revision ?? ''}:${t.percent ?? 0}:${t.tag ?? ''}:${t.type ?? ''}`;
function sameTraffic(a: Target[], b: Target[]): boolean {
  return a.length === b.length && a.map(key).sort().join('|') === b.map(key).sort().join('|');
}

function failure(error: unknown, what: string): Failure {
  const permanent = (error as { permanent?: boolean }).permanent === true || !(isTransient(error) || isConflict(error));
  return { ok: false, permanent, error: `${what}: ${describeError(error)}` };
}
