import type { Release } from '../model.js';
import type { ReleaseState } from '../release-state.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { heldBy } from './policies.js';
import { dueGate } from './gates.js';

/** Moving forward through the configured steps. Traffic only ever targets a configured step, 0 or 100. */
export function enterShifting(d: Draft, release: Release, reason: Reason, message: string, stepIndex: number): void {
  // A pause asked for before (a promote of a paused release) still holds once it shifts.
  const state: ReleaseState = release.state.sub === 'paused' ? { phase: 'shifting', sub: 'paused', resumeTo: 'running' } : { phase: 'shifting', sub: 'running' };
  d.record(release, { state, inFlight: null }, reason, message);
  moveToStep(d, release, stepIndex, reason, message, false);
}

/**
 * Verification passed: start the first step — unless that step is already 100% and the service
 * requires approval, in which case the candidate stays at 0% until `cutover approve`.
 */
export function startShifting(d: Draft, release: Release, reason: Reason, message: string): void {
  const { steps, requireApproval } = d.service.config;
  if (heldBy(d, release, 'advance')) return;
  // The first step is 100%: the before-promotion hooks run first (reconciliation issues them).
  const gate = dueGate(release, d.service);
  if (gate) {
    d.record(release, { inFlight: null }, reason, `${message}; before-promotion hook ${gate.hook.name} runs before 100%`);
    return;
  }
  if (requireApproval && steps[0] === 100) {
    d.record(release, { state: { phase: 'verifying', sub: 'awaitingApproval' }, inFlight: null }, Reason.AwaitingApproval, `${message}; the first step is 100%: waiting for \`cutover approve\``);
    d.notify(release, 'release.awaiting_approval', Reason.AwaitingApproval, 'approval required before 100%');
    return;
  }
  enterShifting(d, release, reason, message, 0);
}

export function moveToStep(d: Draft, release: Release, stepIndex: number, reason: Reason, message: string, record = true): void {
  const percent = d.service.config.steps[stepIndex] ?? 100;
  const patch: Partial<Release> = {
    stepIndex,
    state: approvalGiven(release.state),
    progressAt: d.now,
    traffic: { ...release.traffic, desiredPercent: percent },
  };
  if (record) d.record(release, patch, reason, message, { desiredPercent: percent });
  else d.touch(release, patch);
}

/** Moving to a step answers any approval the release waited for; a pause stays. */
function approvalGiven(state: ReleaseState): ReleaseState {
  if (state.phase !== 'shifting') return state;
  if (state.sub === 'awaitingApproval') return { phase: 'shifting', sub: 'running' };
  return state.sub === 'paused' ? { ...state, resumeTo: 'running' } : state;
}

/** After a healthy reading: advance when the step has baked, or hold for approval before 100%. */
export function advanceIfBaked(d: Draft, release: Release): void {
  const { config } = d.service;
  if (release.state.sub !== 'running' || release.stepIndex === null) return;
  const bakedFor = d.now - (release.stepStartedAt ?? d.now);
  if (bakedFor < config.bakeTime) return;
  const next = release.stepIndex + 1;
  if (next >= config.steps.length) return;
  if (config.steps[next] === 100 && config.requireApproval) {
    d.record(release, { state: { phase: 'shifting', sub: 'awaitingApproval' } }, Reason.AwaitingApproval, 'healthy at the last step before 100%; waiting for `cutover approve`');
    d.notify(release, 'release.awaiting_approval', Reason.AwaitingApproval, 'approval required before 100%');
    return;
  }
  if (heldBy(d, release, 'advance')) return;
  moveToStep(d, release, next, Reason.StepAdvanced, `baked ${Math.round(bakedFor / 1000)}s healthy; moving to ${config.steps[next]}%`);
}
