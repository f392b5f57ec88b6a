import { isInFlight, type Release } from '../model.js';
import { Reason } from '../reasons.js';
import { regionReleaseId, rolloutIdOf } from '../names.js';
import { rollbackOf } from '../release-state.js';
import { wavesOf as wavesIn } from '../service-config.js';
import type { Draft } from './draft.js';
import { activate, beginRollback, complete, finish } from './lifecycle.js';
import { freshRelease } from './on-build.js';

/**
 * A release in several regions, in waves (`rollout.waves`). The release of the build is the
 * rollout: it holds the service's slot and reports one outcome. Each region gets its own release
 * (`{id}@{region}`) that goes through deploy → verify → shift → complete exactly as a one-region
 * release does, against that region's own stable. The rollout watches them: when every region of
 * a wave completed and the wave soaked, the next wave starts; when any region fails or rolls back,
 * every region that started is taken back at once, and the rollout ends rolled back.
 */

function wavesOf(d: Draft): readonly (readonly string[])[] {
  return wavesIn(d.rootService.config);
}

/** The regions' releases that exist, wave by wave up to the current one. */
export function regionReleases(d: Draft, rollout: Release): Release[] {
  const upTo = rollout.rollout?.wave ?? -1;
  return wavesOf(d)
    .slice(0, upTo + 1)
    .flat()
    .map((region) => d.get(regionReleaseId(rollout.id, region)))
    .filter((r): r is Release => r !== undefined);
}

/** Starts a rollout that took the service's slot: its first wave deploys. */
export function startRollout(d: Draft, rollout: Release, message: string): void {
  d.patchService({ activeReleaseId: rollout.id });
  d.record(rollout, { state: { phase: 'deploying', sub: 'running' }, rollout: { wave: 0, soakUntil: null }, stableRevision: null, progressAt: d.now }, Reason.BuildSucceeded, `${message}; wave 1 of ${wavesOf(d).length}: ${(wavesOf(d)[0] ?? []).join(', ')}`);
  d.notify(rollout, 'release.started', Reason.BuildSucceeded, `releasing ${rollout.build.image ?? 'the candidate'} in ${wavesOf(d).length} wave(s)`);
  startWave(d, rollout, 0);
}

function startWave(d: Draft, rollout: Release, wave: number): void {
  for (const region of wavesOf(d)[wave] ?? []) {
    const release: Release = { ...freshRelease(d, regionReleaseId(rollout.id, region), { ...rollout.build }), target: region };
    d.add(release);
    activate(d.scoped(region), release, `wave ${wave + 1} of ${rollout.id}: ${region}`);
  }
}

/**
 * Takes back every region that started: those in flight are aborted, those completed are rolled
 * back from their watch, at once. The rollout ends when all of them serve their stable again.
 */
export function rollBackRollout(d: Draft, rollout: Release, cause: string, message: string, onset: number | null = null): void {
  const from = rollout.state.phase;
  if (from === 'rolling_back' || from === 'rolled_back' || from === 'failed' || from === 'superseded') return;
  if (from === 'pending') return finish(d, rollout, 'rolled_back', cause as Reason, message);
  if (from === 'complete') d.patchService({ activeReleaseId: rollout.id });
  d.record(rollout, { state: { phase: 'rolling_back', sub: 'restoring', rollback: { cause, startedAt: d.now, breachStartedAt: onset, from } }, hold: null, progressAt: d.now }, cause as Reason, message);
  d.notify(rollout, 'release.rolling_back', cause as Reason, message);
  for (const release of regionReleases(d, rollout)) {
    const { phase } = release.state;
    if (isInFlight(phase) && phase !== 'rolling_back') beginRollback(d.scoped(release.target), release, Reason.RegionFailed, `${rollout.id} is rolling back: ${message}`);
    // A region that completed is taken back too, whether or not its own watch is over: it took traffic.
    else if (phase === 'complete') beginRollback(d.scoped(release.target), release, Reason.RegionFailed, `${rollout.id} is rolling back: ${message}`);
  }
  settleRollback(d, rollout);
}

function settleRollback(d: Draft, rollout: Release): void {
  const regions = regionReleases(d, rollout);
  if (regions.some((r) => isInFlight(r.state.phase))) return;
  const held = regions.filter((r) => r.state.phase === 'complete').map((r) => r.target);
  const cause = rollbackOf(rollout.state)?.cause;
  const restored = regions.filter((r) => r.state.phase === 'rolled_back' || r.state.phase === 'superseded').map((r) => r.target);
  const failed = regions.filter((r) => r.state.phase === 'failed').map((r) => r.target);
  const phase = cause === Reason.Superseded ? 'superseded' : 'rolled_back';
  const notes = [failed.length ? `never deployed in ${failed.join(', ')}` : '', held.length ? `nothing to return to in ${held.join(', ')}` : ''].filter(Boolean);
  finish(d, rollout, phase, Reason.RolledBack, `every region it reached serves its stable again (${restored.join(', ') || 'none'})${notes.map((n) => `; ${n}`).join('')}`);
}

/**
 * After every decision that touched a rollout or one of its regions: the rollout follows them.
 * A region that failed or rolled back takes the whole release back; a wave whose regions all
 * completed soaks, then the next one starts; the last one completes the rollout.
 */
export function followRegions(d: Draft, rollout: Release): void {
  if (!rollout.rollout) return;
  const { phase } = rollout.state;
  if (phase === 'rolling_back') return settleRollback(d, rollout);
  if (phase !== 'deploying' && phase !== 'verifying' && phase !== 'shifting' && phase !== 'complete') return;
  const regions = regionReleases(d, rollout);
  const fallen = regions.find((r) => r.state.phase === 'rolling_back' || r.state.phase === 'rolled_back' || r.state.phase === 'failed');
  if (fallen) {
    const cause = rollbackOf(fallen.state)?.cause ?? (fallen.state.phase === 'failed' ? Reason.DeployFailed : Reason.RegionFailed);
    return rollBackRollout(d, rollout, cause, `${fallen.target ?? fallen.id} ${fallen.state.phase === 'failed' ? 'failed' : 'rolled back'}: ${fallen.lastDecision.message}`, rollbackOf(fallen.state)?.breachStartedAt ?? null);
  }
  if (phase === 'complete') return;
  const { wave, soakUntil } = rollout.rollout;
  const current = (wavesOf(d)[wave] ?? []).map((region) => d.get(regionReleaseId(rollout.id, region)));
  if (phase === 'deploying' && current.every((r) => r && r.state.phase !== 'deploying')) d.record(rollout, { state: { phase: 'verifying', sub: 'running' } }, Reason.CandidateDeployed, `deployed in ${current.map((r) => r?.target).join(', ')}`);
  if (rollout.state.phase === 'verifying' && current.some((r) => r && (r.state.phase === 'shifting' || r.state.phase === 'complete'))) {
    d.record(rollout, { state: { phase: 'shifting', sub: 'running' }, stepIndex: wave, stepStartedAt: d.now, progressAt: d.now }, Reason.VerificationPassed, `verified; traffic moving in ${current.map((r) => r?.target).join(', ')}`);
  }
  if (!current.every((r) => r?.state.phase === 'complete')) return;
  const waves = wavesOf(d);
  if (wave + 1 >= waves.length) return complete(d, rollout, `every region serves the candidate: ${waves.flat().join(', ')}`);
  if (soakUntil === null) {
    const until = d.now + (d.rootService.config.rollout?.soak ?? 0);
    d.record(rollout, { rollout: { wave, soakUntil: until }, progressAt: d.now }, Reason.WaveCompleted, `wave ${wave + 1} of ${waves.length} complete in ${(waves[wave] ?? []).join(', ')}; soaking until ${new Date(until).toISOString()}`);
  }
  if (d.now < (rollout.rollout.soakUntil ?? Infinity)) return;
  d.record(rollout, { rollout: { wave: wave + 1, soakUntil: null }, stepIndex: wave + 1, stepStartedAt: d.now, progressAt: d.now }, Reason.WaveStarted, `wave ${wave + 1} soaked; wave ${wave + 2} of ${waves.length} starts: ${(waves[wave + 1] ?? []).join(', ')}`);
  startWave(d, rollout, wave + 1);
}

/** When a tick should look at a rollout: the end of its soak, or of its watch window. */
export function rolloutCheckAt(rollout: Release): number | null {
  if (rollout.state.phase === 'complete') return rollout.state.sub === 'watching' ? rollout.state.watchUntil : null;
  return rollout.rollout?.soakUntil ?? null;
}

/** The rollout a region's release belongs to. */
export function rolloutOf(d: Draft, release: Release): Release | undefined {
  if (release.target === undefined) return release.rollout ? release : undefined;
  return d.get(rolloutIdOf(release));
}
