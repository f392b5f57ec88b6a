import { formatDuration, type FourKeys, type HistoryEntry, holdLabels, type Release, rolloutIdOf, type ServiceState, TARGET_TRAITS } from '../domain/index.js';
import type { RejectedEvent } from '../ports/index.js';

/**
 * What people see of services, releases and history, as rows of text cells. The CLI prints them
 * as plain tables and the status page as HTML tables, so both always show the same columns.
 */
export interface Rows {
  headers: string[];
  rows: string[][];
}

export const isoTime = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const pct = (n: number | null) => (n === null ? '-' : `${n}%`);

export function serviceRows(services: ServiceState[]): Rows {
  return {
    headers: ['SERVICE', 'ROUTER', 'STEPS', 'BAKE', 'MAX ERR', 'STABLE', 'ACTIVE', 'QUEUED'],
    rows: services.map((s) => [
      s.name,
      s.config.router.kind,
      s.config.steps.join('/'),
      formatDuration(s.config.bakeTime),
      `${(s.config.slo.maxErrorRate * 100).toFixed(2)}%`,
      s.stableRevision && TARGET_TRAITS[s.config.router.kind].liveLabel !== 'stable' ? `${s.stableRevision} (${TARGET_TRAITS[s.config.router.kind].liveLabel})` : (s.stableRevision ?? '-'),
      s.activeReleaseId ?? '-',
      s.queuedReleaseId ?? '-',
    ]),
  };
}

/** A release in several regions first, each of its regions' releases right under it; the rest as listed. */
export function withRegionsUnder(releases: Release[]): Release[] {
  const ids = new Set(releases.map((r) => r.id));
  const parentOf = (r: Release) => (r.target !== undefined ? rolloutIdOf(r) : null);
  const under = (id: string) => releases.filter((r) => parentOf(r) === id).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return releases.filter((r) => !ids.has(parentOf(r) ?? '')).flatMap((r) => [r, ...under(r.id)]);
}

/** Where a release in several regions stands: its wave, or the region a region's release is in. */
function progressLabel(r: Release): string {
  if (r.target !== undefined) return `region:${r.target}`;
  if (!r.rollout) return '';
  return r.rollout.soakUntil !== null && r.state.phase === 'shifting' ? `wave:${r.rollout.wave + 1},soaking-until:${isoTime(r.rollout.soakUntil)}` : `wave:${r.rollout.wave + 1}`;
}

export function releaseRows(releases: Release[]): Rows {
  return {
    headers: ['RELEASE', 'PHASE', 'FLAGS', 'TRAFFIC', 'HEALTH', 'COMMIT', 'UPDATED', 'LAST DECISION'],
    rows: withRegionsUnder(releases).map((r) => [
      r.id,
      r.state.phase,
      [progressLabel(r), ...holdLabels(r.state), r.hold ? `held:${r.hold.policy}` : ''].filter(Boolean).join(',') || '-',
      `${pct(r.traffic.observedPercent)} (want ${pct(r.traffic.desiredPercent)})`,
      r.health ? `${r.health.verdict}${r.health.errorRate === null ? '' : ` ${(r.health.errorRate * 100).toFixed(2)}%`}` : '-',
      (r.build.commit ?? '-').slice(0, 12),
      isoTime(r.updatedAt),
      `${r.lastDecision.reason}: ${r.lastDecision.message}`.slice(0, 100),
    ]),
  };
}

export function historyRows(entries: HistoryEntry[]): Rows {
  return {
    headers: ['SEQ', 'AT', 'EVENT', 'FROM', 'TO', 'TRAFFIC', 'REASON', 'BY', 'MESSAGE'],
    rows: entries.map((h) => [String(h.seq), isoTime(h.at), h.eventKind, h.fromPhase ?? '-', h.toPhase, pct(h.trafficPercent), h.reason, h.actor ?? '-', h.message]),
  };
}

export function rejectedRows(entries: (RejectedEvent & { id: string })[]): Rows {
  return {
    headers: ['RECEIVED', 'SOURCE', 'REASON', 'BYTES', 'MESSAGE'],
    rows: entries.map((e) => [isoTime(e.receivedAt), e.source, e.reason, String(e.bodyBytes), e.message.slice(0, 120)]),
  };
}

/** The four keys per service, as the CLI (`cutover stats`) and the page show them. */
export function statsRows(stats: { service: string; keys: FourKeys }[]): Rows {
  return {
    headers: ['SERVICE', 'DEPLOYS', 'PER DAY', 'PER WEEK', 'LEAD TIME P50', 'LEAD TIME P90', 'CHANGE FAILURE', 'RESTORE P50', 'RESTORE MAX'],
    rows: stats.map(({ service, keys }) => [
      service,
      String(keys.deployments),
      keys.deploymentsPerDay.toFixed(2),
      keys.deploymentsPerWeek.toFixed(1),
      durationText(keys.leadTimeMs.p50),
      durationText(keys.leadTimeMs.p90),
      changeFailureText(keys),
      durationText(keys.timeToRestoreMs.p50),
      durationText(keys.timeToRestoreMs.max),
    ]),
  };
}

/** "67% (2/3)", or "-" when no release reached traffic. */
export const changeFailureText = ({ changeFailure: c }: FourKeys): string => (c.rate === null ? '-' : `${(c.rate * 100).toFixed(0)}% (${c.failed}/${c.reachedTraffic})`);

/** A duration for people, or "-" when there is none. */
export const durationText = (ms: number | null): string => (ms === null ? '-' : humanDuration(ms));

/** 850ms, 42s, 4m 12s, 3h 05m, 2d 4h: two units at most, for people. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}
