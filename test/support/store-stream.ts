import fc from 'fast-check';
import { DEFAULT_EFFECT_POLICY, dayOf, decide, fourKeys, keysFromDays, isStepEffect, type CommandName, type EventBody, type ReleaseEvent } from '../../shared/domain/index.js';
import type { ReleaseStore } from '../../shared/ports/index.js';
import { answerEffect, type WorldBehaviour } from './sim.js';

/**
 * A random stream of releases driven through a real ReleaseStore with the real decide: builds
 * arrive, effects are answered (in any order, some twice), time jumps by minutes to hours so
 * releases end on different UTC days, incidents open, people abort and roll back. What it leaves
 * in the store is what the kept figures must agree with.
 */
export type StreamStep =
  | { t: 'release'; errorsPerThousand: number; verificationFails: boolean; buildAgeMs: number }
  | { t: 'deliver'; index: number; twice: boolean }
  | { t: 'tick'; ms: number }
  | { t: 'incident' }
  | { t: 'command'; name: CommandName }
  | { t: 'settle' };

export const streamStep: fc.Arbitrary<StreamStep> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), errorsPerThousand: fc.constantFrom(0, 0, 0, 300), verificationFails: fc.constantFrom(false, false, false, false, true), buildAgeMs: fc.integer({ min: 0, max: 6 * 3_600_000 }) }) },
  { weight: 10, arbitrary: fc.record({ t: fc.constant('deliver' as const), index: fc.nat(), twice: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.oneof(fc.integer({ min: 10_000, max: 120_000 }), fc.integer({ min: 1_800_000, max: 14 * 3_600_000 })) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('incident' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('command' as const), name: fc.constantFrom<CommandName>('abort', 'rollback', 'approve', 'promote') }) },
  { weight: 1, arbitrary: fc.constant({ t: 'settle' as const }) },
);

export class StoreStream {
  now: number;
  private pending: ReleaseEvent[] = [];
  private readonly delivered: ReleaseEvent[] = [];
  private readonly behaviour: WorldBehaviour = { failNext: null, errorsPerThousand: 0, verificationFails: false };
  private counter = 0;

  constructor(private readonly store: ReleaseStore, private readonly service: string, start: number) {
    this.now = start;
  }

  private async send(body: EventBody): Promise<void> {
    this.counter += 1;
    await this.apply({ id: `${body.kind}-${this.counter}`, service: this.service, at: this.now, body });
  }

  private async apply(event: ReleaseEvent): Promise<void> {
    const result = await this.store.handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }));
    if (result.kind !== 'decided') return;
    this.delivered.push(event);
    for (const effect of result.decision.effects) if (isStepEffect(effect)) this.pending.push(answerEffect(effect, this.behaviour, this.now));
  }

  private async tick(ms: number): Promise<void> {
    this.now += ms;
    for (const r of await this.store.dueReleases(this.now, 50)) await this.send({ kind: 'tick', releaseId: r.id });
  }

  async run(step: StreamStep): Promise<void> {
    const service = await this.store.getService(this.service);
    const target = service?.activeReleaseId ?? service?.lastCompletedReleaseId ?? null;
    switch (step.t) {
      case 'release':
        this.behaviour.errorsPerThousand = step.errorsPerThousand;
        this.behaviour.verificationFails = step.verificationFails;
        this.counter += 1;
        // A dot in the id, as build ids may hold: Firestore's field path separator, in a map key.
        return this.send({ kind: 'build', buildId: `b${this.counter}.x`, status: 'SUCCESS', commit: 'c', image: `img@sha256:${this.counter}`, createdAt: this.now - step.buildAgeMs });
      case 'deliver': {
        const [event] = this.pending.splice(step.index % Math.max(1, this.pending.length), 1);
        if (!event) return;
        await this.apply({ ...event, at: this.now });
        if (step.twice) await this.apply({ ...event, at: this.now });
        return;
      }
      case 'tick':
        return this.tick(step.ms);
      case 'incident':
        return this.send({ kind: 'incident', incidentId: `inc-${this.counter}`, state: 'open', policyName: null, summary: null, startedAt: this.now - 30_000 });
      case 'command':
        if (target) await this.send({ kind: 'command', releaseId: target, command: step.name, actor: 'stream', why: null });
        return;
      case 'settle':
        return this.settle();
    }
  }

  /** Every result delivered and time moved to each next check until nothing is due: every release has ended. */
  async settle(maxRounds = 2_000): Promise<void> {
    for (let i = 0; i < maxRounds; i += 1) {
      while (this.pending.length > 0) await this.run({ t: 'deliver', index: 0, twice: false });
      const [next] = await this.store.dueReleases(this.now + 30 * 86_400_000, 1);
      if (!next) return;
      await this.tick(Math.max(0, (next.nextCheckAt ?? this.now) - this.now));
    }
    throw new Error('the stream did not settle');
  }
}

/** Every stream starts with a release that completes and one that breaches, so each run has something to count. */
export const streamPrefix: StreamStep[] = [
  { t: 'release', errorsPerThousand: 0, verificationFails: false, buildAgeMs: 3_600_000 },
  { t: 'settle' },
  { t: 'tick', ms: 13 * 3_600_000 },
  { t: 'release', errorsPerThousand: 300, verificationFails: false, buildAgeMs: 600_000 },
  { t: 'settle' },
];

/** Kept figures against a recomputation from every release, for the whole stream and for each day of it. */
export async function keptAgainstRecomputed(store: ReleaseStore, service: string, start: number, end: number) {
  const DAY = 86_400_000;
  const releases = await store.listReleases(service, 10_000);
  const from = Math.floor(start / DAY) * DAY;
  const to = Math.floor(end / DAY) * DAY + DAY;
  const days = await store.deliveryDays(service, dayOf(from), dayOf(to - 1));
  const windows = [{ from, to }, ...Array.from({ length: (to - from) / DAY }, (_, i) => ({ from: from + i * DAY, to: from + (i + 1) * DAY }))];
  return { releases, windows: windows.map((w) => ({ ...w, kept: keysFromDays(days, w.from, w.to), recomputed: fourKeys(releases, w.from, w.to) })) };
}
