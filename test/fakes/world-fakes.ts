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
 * `FakeRouter.split` is the traffic the "world" serves, per service.
 */
export class FakeRouter implements TrafficRouter {
  readonly calls: (DeployCandidate | SetTraffic)[] = [];
  readonly split = new Map<string, { candidate: string | null; percent: number }>();
  deployFailure: { permanent: boolean; error: string } | null = null;
  trafficFailure: { permanent: boolean; error: string } | null = null;
  /** When set, setTraffic applies this percent instead of the requested one. */
  stuckAt: number | null = null;

  readonly deployed = new Set<string>();

  deployCandidate(effect: DeployCandidate): Promise<DeployOutcome> {
    this.calls.push(effect);
    if (this.deployFailure) return Promise.resolve({ ok: false, ...this.deployFailure });
    this.deployed.add(effect.revisionName);
    return Promise.resolve({ ok: true, revision: effect.revisionName, url: `http://127.0.0.1/${effect.revisionName}` });
  }

  setTraffic(effect: SetTraffic): Promise<TrafficOutcome> {
    this.calls.push(effect);
    if (this.trafficFailure) return Promise.resolve({ ok: false, ...this.trafficFailure });
    if (effect.candidateRevision && !this.deployed.has(effect.candidateRevision)) {
      return Promise.resolve({ ok: false, permanent: true, error: `candidate revision ${effect.candidateRevision} is not deployed` });
    }
    const percent = this.stuckAt ?? effect.candidatePercent;
    this.split.set(effect.service, { candidate: effect.candidateRevision, percent });
    return Promise.resolve({ ok: true, observedPercent: percent });
  }

  percentFor(service: string): number {
    return this.split.get(service)?.percent ?? 0;
  }
}

export class FakeHealthSource implements HealthSource {
  readonly calls: MeasureHealth[] = [];
  next: (effect: MeasureHealth) => HealthReading = (effect) => ({
    ok: true,
    measurements: { requests: 1000, errors: 0, p99LatencyMs: 50, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt },
  });

  measure(effect: MeasureHealth): Promise<HealthReading> {
    this.calls.push(effect);
    return Promise.resolve(this.next(effect));
  }

  reportErrors(requests: number, errors: number): void {
    this.next = (effect) => ({
      ok: true,
      measurements: { requests, errors, p99LatencyMs: 50, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt },
    });
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
