import type { DeployCandidate, SetTraffic, TargetKind } from '../domain/index.js';
import type { DeployOutcome, Deployer, TrafficOutcome, TrafficRouter, TrafficSplitter } from '../ports/index.js';

/** One target kind as the runtime uses it: what deploys the candidate, what moves traffic. */
export interface Target {
  deployer: Deployer;
  splitter: TrafficSplitter;
}

/**
 * The router the runtime holds: every step effect goes to the target of the kind its service
 * names (`effect.router.kind`), so one installation releases Cloud Run and other services side by
 * side. A kind this installation has not enabled is a permanent failure, named, never a guess.
 */
export class TargetDispatch implements TrafficRouter {
  constructor(private readonly targets: Partial<Record<TargetKind, Target>>) {}

  target(kind: TargetKind): Target | undefined {
    return this.targets[kind];
  }

  get kinds(): TargetKind[] {
    return Object.keys(this.targets) as TargetKind[];
  }

  deployCandidate(effect: DeployCandidate): Promise<DeployOutcome> {
    const target = this.targets[effect.router.kind];
    return target ? target.deployer.deployCandidate(effect) : Promise.resolve(this.missing(effect.router.kind));
  }

  setTraffic(effect: SetTraffic): Promise<TrafficOutcome> {
    const target = this.targets[effect.router.kind];
    return target ? target.splitter.setTraffic(effect) : Promise.resolve(this.missing(effect.router.kind));
  }

  private missing(kind: string) {
    return { ok: false as const, permanent: true, error: `target kind ${kind} is not enabled in this installation (CUTOVER_TARGETS: ${this.kinds.join(', ') || 'none'})` };
  }
}
