import type {
  CheckResult,
  DeployCandidate,
  HealthReading,
  MeasureHealth,
  Notify,
  RunVerification,
  SetTraffic,
} from '../../shared/domain/index.js';
import type {
  DeployOutcome,
  HealthSource,
  Notifier,
  Scheduler,
  TrafficOutcome,
  TrafficRouter,
  VerificationChecker,
} from '../../shared/ports/index.js';

/**
 * Hand-written fakes at our own ports: they record every call and can be told to fail.
 *
 * `FakeRouter` behaves like the routers it stands for (Cloud Run, the local router): every service
 * already serves a stable revision (`{service}-initial` unless seeded), a deploy reports it, a
 * split needs a stable other than the candidate, 100% makes the candidate the stable, and a
 * rollback with no stable named keeps whatever the router now treats as stable — so asking for 0%
 * on a promoted candidate without naming the previous stable is refused, as on Cloud Run.
 */
export class FakeRouter implements TrafficRouter {
  readonly calls: (DeployCandidate | SetTraffic)[] = [];
  /** Per service: the stable revision and the candidate's share of traffic. */
  readonly split = new Map<string, { stable: string | null; candidate: string | null; percent: number }>();
  deployFailure: { permanent: boolean; error: string } | null = null;
  trafficFailure: { permanent: boolean; error: string } | null = null;
  /** When set, setTraffic applies this percent instead of the requested one. */
  stuckAt: number | null = null;
  /** How many times a new revision answers "not ready yet" before it is ready (Cloud Run takes a while). */
  pendingPolls = 0;
  private readonly polls = new Map<string, number>();

  readonly deployed = new Set<string>();

  /** Sets what a service serves before any release (null: it serves nothing). */
  seed(service: string, stable: string | null): void {
    this.split.set(service, { stable, candidate: null, percent: 0 });
    if (stable) this.deployed.add(stable);
  }

  private state(service: string): { stable: string | null; candidate: string | null; percent: number } {
    if (!this.split.has(service)) this.seed(service, `${service}-initial`);
    return this.split.get(service)!;
  }

  deployCandidate(effect: DeployCandidate): Promise<DeployOutcome> {
    this.calls.push(effect);
    if (this.deployFailure) return Promise.resolve({ ok: false, ...this.deployFailure });
    const polled = this.polls.get(effect.revisionName) ?? 0;
    this.polls.set(effect.revisionName, polled + 1);
    if (polled < this.pendingPolls) return Promise.resolve({ ok: 'pending', revision: effect.revisionName, status: 'CONDITION_RECONCILING' });
    this.deployed.add(effect.revisionName);
    const { stable } = this.state(effect.router.service);
    const stableRevision = stable === effect.revisionName ? null : stable;
    // A twin of the stable, when asked and there is a stable to copy.
    const baselineRevision = effect.baselineRevisionName && stableRevision ? effect.baselineRevisionName : null;
    if (baselineRevision) this.deployed.add(baselineRevision);
    return Promise.resolve({ ok: true, revision: effect.revisionName, url: `http://127.0.0.1/${effect.revisionName}`, stableRevision, baselineRevision });
  }

  setTraffic(effect: SetTraffic): Promise<TrafficOutcome> {
    this.calls.push(effect);
    if (this.trafficFailure) return Promise.resolve({ ok: false, ...this.trafficFailure });
    const refuse = (error: string) => Promise.resolve({ ok: false as const, permanent: true, error });
    if (effect.candidateRevision && !this.deployed.has(effect.candidateRevision)) return refuse(`candidate revision ${effect.candidateRevision} is not deployed`);
    if (effect.stableRevision && !this.deployed.has(effect.stableRevision)) return refuse(`stable revision ${effect.stableRevision} is not deployed`);
    if (effect.baselineRevision && effect.baselinePercent > 0 && !this.deployed.has(effect.baselineRevision)) return refuse(`baseline revision ${effect.baselineRevision} is not deployed`);
    const current = this.state(effect.router.service);
    const stable = effect.stableRevision ?? current.stable;
    if (!stable || stable === effect.candidateRevision) {
      if (effect.candidatePercent === 100 && effect.candidateRevision) return this.apply(effect.router.service, effect.candidateRevision, null, 100);
      return refuse(`no stable revision other than ${effect.candidateRevision ?? '(none)'} serves ${effect.router.service}`);
    }
    const percent = this.stuckAt ?? effect.candidatePercent;
    if (percent === 100 && effect.candidateRevision) return this.apply(effect.router.service, effect.candidateRevision, null, 100);
    return this.apply(effect.router.service, stable, effect.candidateRevision, effect.candidateRevision ? percent : 0);
  }

  private apply(service: string, stable: string, candidate: string | null, percent: number): Promise<TrafficOutcome> {
    this.split.set(service, { stable, candidate: percent === 100 ? null : candidate, percent: percent === 100 ? 0 : percent });
    return Promise.resolve({ ok: true, observedPercent: percent });
  }

  /** The candidate's share: 100 once promoted (it is then the stable). */
  percentFor(service: string, candidate?: string): number {
    const s = this.split.get(service);
    if (!s) return 0;
    if (candidate !== undefined && s.stable === candidate) return 100;
    return s.percent;
  }

  stableOf(service: string): string | null {
    return this.state(service).stable;
  }
}

export class FakeHealthSource implements HealthSource {
  readonly calls: MeasureHealth[] = [];
  /** What the baseline the effect names shows (a healthy stable by default), like a source reading both arms. */
  baseline: { requests: number; errors: number } = { requests: 1000, errors: 0 };
  next: (effect: MeasureHealth) => HealthReading = (effect) => this.reading(effect, 1000, 0);

  measure(effect: MeasureHealth): Promise<HealthReading> {
    this.calls.push(effect);
    return Promise.resolve(this.next(effect));
  }

  reportErrors(requests: number, errors: number): void {
    this.next = (effect) => this.reading(effect, requests, errors);
  }

  private reading(effect: MeasureHealth, requests: number, errors: number): HealthReading {
    const baseline = effect.baseline ? { revision: effect.baseline.revision, ...this.baseline, p99LatencyMs: 50, latency: null } : null;
    return { ok: true, measurements: { requests, errors, p99LatencyMs: 50, baseline, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt } };
  }
}

export class FakeVerifier implements VerificationChecker {
  readonly calls: RunVerification[] = [];
  failing = false;

  run(effect: RunVerification): Promise<CheckResult[]> {
    this.calls.push(effect);
    return Promise.resolve(
      effect.checks.map((check) => ({
        path: check.path,
        status: this.failing ? 503 : check.expectStatus,
        ok: !this.failing,
        durationMs: 1,
        error: null,
      })),
    );
  }
}

export class FakeScheduler implements Scheduler {
  readonly calls: { releaseId: string; at: number }[] = [];
  scheduleCheck(releaseId: string, _service: string, at: number): Promise<void> {
    this.calls.push({ releaseId, at });
    return Promise.resolve();
  }
}

export class FakeNotifier implements Notifier {
  readonly sent: Notify[] = [];
  notify(notification: Notify): Promise<void> {
    this.sent.push(notification);
    return Promise.resolve();
  }
}
