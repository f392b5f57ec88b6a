import { policyStates, type PlatformDeployPolicy, type ServiceState } from '../domain/index.js';
import { isoTime } from './rows.js';

/** A deploy policy in force over a service, as the page announces it. */
export interface PolicyNotice {
  name: string;
  scope: 'platform' | 'service';
  blocks: string[];
  until: number | null;
  overrideRole: string;
}

export function policiesInForce(service: ServiceState, platform: readonly PlatformDeployPolicy[], now: number): PolicyNotice[] {
  return policyStates(service.name, platform, service.config.policies, now)
    .filter((s) => s.active)
    .map(({ policy, scope, until }) => ({ name: policy.name, scope, blocks: policy.blocks, until, overrideRole: policy.overrideRole }));
}

export function noticeText(p: PolicyNotice): string {
  const what = p.blocks.includes('start') ? (p.blocks.includes('advance') ? 'releases wait to start and take no more traffic' : 'releases wait to start') : 'releases take no more traffic';
  return `Deploy policy ${p.name} (${p.scope}) in force ${p.until === null ? 'until it changes' : `until ${isoTime(p.until)}`}: ${what}; rollbacks always go. Override: ${p.overrideRole}.`;
}
