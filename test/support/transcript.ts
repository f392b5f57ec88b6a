import { DEFAULT_EFFECT_POLICY, decide, releaseIdForBuild, upstreamToLoad, type Effect, type EffectPolicy, type EventBody, type Release, type ServiceState } from '../../shared/domain/index.js';
import { T0 } from './fixtures.js';

/**
 * Drives decide() through a scripted scenario and writes down everything each decision says:
 * its outcome, the fields of every release and of the service it changed, its history entries
 * and its effects. The transcript is compared with a reviewed golden file, so a change to any
 * decision, message, deadline or effect payload shows up as a diff a person reads.
 */
export type Step = { at: number; body: EventBody | ((s: Scenario) => EventBody); id?: string };

/** Of a stage of a pipeline: where its lines go (shared with the other stages), its name in them, and the releases of the stage before. */
export interface StageOptions {
  lines: string[];
  label: string;
  upstream: (id: string) => Release | undefined;
}

export class Scenario {
  readonly releases = new Map<string, Release>();
  readonly lines: string[];
  /** The effects of the last step decided (a pipeline relays its release events to the next stage). */
  lastEffects: Effect[] = [];
  /** What the transcript last showed of each release: later lines show only what changed. */
  private readonly shown = new Map<string, Record<string, unknown>>();
  private seq = 0;

  constructor(
    public service: ServiceState,
    releases: Release[] = [],
    readonly policy: EffectPolicy = DEFAULT_EFFECT_POLICY,
    private readonly stage?: StageOptions,
  ) {
    this.lines = stage?.lines ?? [];
    for (const r of releases) {
      this.releases.set(r.id, r);
      this.shown.set(r.id, releaseView(r));
    }
  }

  release(buildId: string): Release {
    const r = this.releases.get(releaseIdForBuild(this.service.name, buildId));
    if (!r) throw new Error(`no release for ${buildId}`);
    return r;
  }

  /** The id of the effect the release awaits (results must name it to count). */
  inFlight(buildId: string): string {
    const r = this.release(buildId);
    if (!r.inFlight) throw new Error(`${r.id} awaits no effect (phase ${r.state.phase})`);
    return r.inFlight.effectId;
  }

  run(steps: Step[]): this {
    for (const step of steps) {
      let body: EventBody;
      try {
        body = typeof step.body === 'function' ? step.body(this) : step.body;
      } catch (error) {
        throw new Error(`script step at ${rel(step.at)}: ${(error as Error).message}\n${this.text()}`);
      }
      this.seq += 1;
      const event = { id: step.id ?? `e${this.seq}`, service: this.service.name, at: step.at, body };
      const releases = [...this.releases.values()];
      const upstream = this.stage ? upstreamToLoad(event, releases).flatMap((id) => this.stage?.upstream(id) ?? []) : [];
      const d = decide({ service: this.service, releases, upstream }, event, { now: step.at, policy: this.policy });
      this.lastEffects = d.effects;
      this.lines.push(`@${rel(step.at)}${this.stage ? ` [${this.stage.label}]` : ''} ${event.id} ${describeBody(body)}`);
      this.lines.push(`  → ${d.outcome.status} ${d.outcome.reason}: ${times(d.outcome.message)}`);
      if (d.service) {
        const s = d.service;
        this.lines.push(`  service: active=${s.activeReleaseId} queued=${s.queuedReleaseId} stable=${s.stableRevision} lastCompleted=${s.lastCompletedReleaseId}${s.lastIncident ? ` incident=${s.lastIncident.incidentId}/${s.lastIncident.state}` : ''}`);
        this.service = s;
      }
      for (const r of d.releases) {
        const view = releaseView(r);
        const before = this.shown.get(r.id) ?? {};
        const changed = Object.fromEntries(Object.entries(view).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
        this.shown.set(r.id, view);
        this.lines.push(`  ${r.id}: ${stringify(changed)}`);
        this.releases.set(r.id, r);
      }
      for (const h of d.history) {
        this.lines.push(`  history ${h.releaseId}#${h.seq} ${h.fromPhase}→${h.toPhase} ${h.reason} actor=${h.actor} traffic=${h.trafficPercent}: ${times(h.message)}${h.details ? ` ${stringify(h.details)}` : ''}`);
      }
      for (const e of d.effects) this.lines.push(`  effect ${stringify(e)}`);
    }
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function releaseView(r: Release) {
  return {
    state: r.state,
    stepIndex: r.stepIndex,
    traffic: r.traffic,
    candidate: r.candidate,
    stableRevision: r.stableRevision,
    inFlight: r.inFlight,
    nextCheckAt: r.nextCheckAt,
    verification: r.verification && { passed: r.verification.passed, at: r.verification.at, results: r.verification.results.length },
    health: r.health && { verdict: r.health.verdict, reasons: r.health.reasons, errorRate: r.health.errorRate, error: r.health.error, at: r.health.at, thresholds: r.health.thresholds },
    phaseStartedAt: r.phaseStartedAt,
    stepStartedAt: r.stepStartedAt,
    progressAt: r.progressAt,
    completedAt: r.completedAt,
    effectSeq: r.effectSeq,
    historySeq: r.historySeq,
    lastDecision: `${r.lastDecision?.reason}/${r.lastDecision?.eventId}/${r.lastDecision?.actor}`,
    updatedAt: r.updatedAt,
    // Shown once a deploy policy has touched the release (stories without policies read as before).
    ...(r.hold !== undefined ? { hold: r.hold } : {}),
    ...(r.overrides !== undefined ? { overrides: r.overrides } : {}),
    ...(r.promotion !== undefined ? { promotion: r.promotion } : {}),
    ...(r.hookRuns !== undefined ? { hookRuns: r.hookRuns } : {}),
    ...(r.barrier !== undefined ? { barrier: r.barrier } : {}),
  };
}

function describeBody(body: EventBody): string {
  const { kind, ...rest } = body;
  return `${kind} ${stringify(rest)}`;
}

/** Epoch times as offsets from T0, so the transcript reads as a timeline. */
function rel(ms: number): string {
  const s = (ms - T0) / 1000;
  return `T${s >= 0 ? '+' : ''}${s}s`;
}

function stringify(value: unknown): string {
  return times(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && v > 1e12 && v < 1e13 ? rel(v) : v)));
}

/** ISO dates in messages, as offsets too. */
function times(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (iso) => rel(Date.parse(iso)));
}
