import { describe, expect, it } from 'vitest';
import type { HookRun, Release, ReleaseState } from '../../shared/domain/index.js';
import { pipelineRows, pipelineStages } from '../../shared/views/pipeline.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

const stage = (name: string, from?: string) => serviceState({ name, router: { kind: 'cloud-run', target: name }, ...(from ? { promotion: { from } } : {}) });
const services = [stage('shop-prod-us', 'shop-staging'), stage('shop-dev'), stage('shop-prod-eu', 'shop-staging'), stage('shop-staging', 'shop-dev'), stage('other')];

describe('cutover pipeline: where each build stands along the stages', () => {
  it('finds the whole pipeline from any stage: up to the first, then down, fanning out in name order', () => {
    const all = ['shop-dev', 'shop-staging', 'shop-prod-eu', 'shop-prod-us'];
    for (const from of all) expect(pipelineStages(services, from)).toEqual(all);
    expect(pipelineStages(services, 'other')).toEqual(['other']);
  });

  it('stops at a loop instead of walking it forever', () => {
    expect(pipelineStages([stage('a', 'b'), stage('b', 'a')], 'a')).toEqual(['b', 'a']);
  });

  const run = (hook: string, at: HookRun['at'], status: HookRun['status']): HookRun => ({ key: hook, hook, at, status, execution: null, startedAt: T0, endedAt: null, detail: '' });
  it('one row per build, newest first; each stage says its phase, what holds it, why it ended, and a check after completion not passed', () => {
    const r = (service: string, build: string, state: ReleaseState, extra: Partial<Release> = {}) =>
      releaseIn('complete', { id: `${service}-${build}`, service, build: { id: build, status: 'SUCCESS', commit: null, image: `europe-west1-docker.pkg.dev/p/apps/shop@sha256:${'ab'.repeat(32)}` }, state, ...extra });
    const rows = pipelineRows(['shop-dev', 'shop-staging', 'shop-prod-eu'], [
      r('shop-dev', 'b1', { phase: 'complete', sub: 'final', watchUntil: T0 }, { createdAt: T0 }),
      r('shop-staging', 'b1', { phase: 'complete', sub: 'watching', watchUntil: T0 }, { createdAt: T0 + 5, hookRuns: [run('migrate', 'pre-deploy', 'running'), run('e2e', 'after-complete', 'running')] }),
      r('shop-prod-eu', 'b1', { phase: 'pending', sub: 'awaitingApproval' }, { createdAt: T0 + 9 }),
      r('shop-dev', 'b2', { phase: 'rolled_back', sub: 'final', rollback: { cause: 'ErrorRatioAboveBaseline', startedAt: T0, breachStartedAt: null, from: 'shifting' } }, { createdAt: T0 + 20 }),
      r('shop-staging', 'b0', { phase: 'pending', sub: 'soaking' }, { createdAt: T0 - 5, promotion: { from: 'shop-dev', releaseId: 'shop-dev-b0', soakUntil: T0 + 600_000, revokedAt: null } }),
      r('shop-prod-eu', 'b0', { phase: 'complete', sub: 'final', watchUntil: T0 }, { createdAt: T0 - 1, promotion: { from: 'shop-staging', releaseId: 'shop-staging-b0', soakUntil: T0, revokedAt: T0 } }),
      r('shop-dev', 'b3', { phase: 'complete', sub: 'watching', watchUntil: T0 }, { createdAt: T0 + 30, hookRuns: [run('e2e', 'after-complete', 'failed'), run('smoke', 'after-complete', 'passed')] }),
    ]);
    expect(rows.headers).toEqual(['BUILD', 'IMAGE', 'SHOP-DEV', 'SHOP-STAGING', 'SHOP-PROD-EU']);
    expect(rows.rows).toEqual([
      ['b3', 'shop@sha256:abababababab', 'complete (check failed: e2e)', '-', '-'],
      ['b2', 'shop@sha256:abababababab', 'rolled_back (ErrorRatioAboveBaseline)', '-', '-'],
      ['b1', 'shop@sha256:abababababab', 'complete', 'complete (checking: e2e)', 'pending (awaiting-approval)'],
      ['b0', 'shop@sha256:abababababab', '-', 'pending (soaking) until 2026-11-27T12:10:00Z', 'complete (revoked)'],
    ]);
  });
});
