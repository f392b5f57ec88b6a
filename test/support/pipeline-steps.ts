import { releaseIdForBuild, type EventBody, type Release, type ServiceConfigInput } from '../../shared/domain/index.js';
import { STAGE_EVENTS } from '../../functions/promote-stages.js';
import { serviceState } from './fixtures.js';
import { s } from './golden-steps.js';
import { Scenario } from './transcript.js';

/**
 * Golden stories of a pipeline: several services, each a stage, decided one event at a time as
 * the runtime does, with the release events of each stage relayed to the stages that promote from
 * it exactly as promoteStages relays them (same event kinds, same event ids).
 */
export const digest = (b: string): string => `europe-west1-docker.pkg.dev/demo-project/apps/shop@sha256:${b.padEnd(64, '0').replace(/[^0-9a-f]/g, 'f')}`;
export const stageBuild = (b: string): EventBody => ({ kind: 'build', buildId: b, status: 'SUCCESS', commit: `c-${b}`, image: digest(b) });

export type StageStep = { stage: string; at: number; body: EventBody | ((p: PipelineStory) => EventBody) };

export class PipelineStory {
  readonly lines: string[] = [];
  private readonly stages = new Map<string, Scenario>();

  constructor(stages: { name: string; config: Partial<ServiceConfigInput> }[]) {
    for (const { name, config } of stages) {
      const service = serviceState({ name, router: { kind: 'cloud-run', target: name }, ...config }, { stableRevision: `${name}-stable` });
      this.stages.set(name, new Scenario(service, [], undefined, { lines: this.lines, label: name, upstream: (id) => this.find(id) }));
    }
  }

  private find(id: string): Release | undefined {
    for (const sc of this.stages.values()) {
      const r = sc.releases.get(id);
      if (r) return r;
    }
    return undefined;
  }

  private stage(name: string): Scenario {
    const sc = this.stages.get(name);
    if (!sc) throw new Error(`no stage ${name}`);
    return sc;
  }

  /** The id of the effect a stage's release of build `b` awaits. */
  inFlight(stage: string, b: string): string {
    return this.stage(stage).inFlight(b);
  }

  run(steps: StageStep[]): this {
    for (const step of steps) this.decide(step.stage, step.at, typeof step.body === 'function' ? step.body(this) : step.body);
    return this;
  }

  private decide(stage: string, at: number, body: EventBody, id?: string): void {
    const sc = this.stage(stage);
    sc.run([{ at, body, ...(id ? { id: `${id}` } : { id: `${stage}:e${this.lines.length}` }) }]);
    // The release events promoteStages relays: each stage that promotes from this one decides on it, at once.
    for (const effect of sc.lastEffects) {
      if (effect.kind !== 'notify' || !STAGE_EVENTS.has(effect.type)) continue;
      const release = sc.releases.get(effect.releaseId);
      if (!release) continue;
      for (const [next, nsc] of this.stages) {
        if (nsc.service.config.promotion?.from !== stage) continue;
        this.decide(next, at, { kind: 'upstream', upstreamReleaseId: release.id, buildId: release.build.id }, `upstream:${release.id}:${effect.type}:${next}`);
      }
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const rid = (stage: string, b: string) => releaseIdForBuild(stage, b);
export const deployedIn = (stage: string, b: string) => (p: PipelineStory): EventBody => ({
  kind: 'candidateDeployed', releaseId: rid(stage, b), effectId: p.inFlight(stage, b), revision: `${stage}-${b}`, url: `https://${stage}-${b}.run.app`, stableRevision: `${stage}-stable`,
});
export const verifiedIn = (stage: string, b: string) => (p: PipelineStory): EventBody => ({
  kind: 'verificationCompleted', releaseId: rid(stage, b), effectId: p.inFlight(stage, b), results: [{ path: '/healthz', status: 200, ok: true, durationMs: 3, error: null }],
});
export const trafficIn = (stage: string, b: string, observedPercent: number) => (p: PipelineStory): EventBody => ({ kind: 'trafficSet', releaseId: rid(stage, b), effectId: p.inFlight(stage, b), observedPercent });
export const hookRanIn = (stage: string, b: string, status: 'passed' | 'failed' | 'running', detail: string, execution: string | null) => (p: PipelineStory): EventBody => ({ kind: 'hookRan', releaseId: rid(stage, b), effectId: p.inFlight(stage, b), status, execution, detail });
export const tickIn = (stage: string, b: string): EventBody => ({ kind: 'tick', releaseId: rid(stage, b) });
export const commandIn = (stage: string, b: string, command: 'approve' | 'rollback' | 'abort' | 'pause' | 'resume', why: string | null = null): EventBody => ({ kind: 'command', releaseId: rid(stage, b), command, actor: 'ops@example.com', why });

/** A stage's release of `b` from deployed to complete at 100% (one step), starting `at` seconds in. */
export const completesIn = (stage: string, b: string, at: number): StageStep[] => [
  { stage, at: s(at), body: deployedIn(stage, b) },
  { stage, at: s(at + 1), body: verifiedIn(stage, b) },
  { stage, at: s(at + 2), body: trafficIn(stage, b, 100) },
];
