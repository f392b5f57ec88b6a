import { formatDuration, type HistoryEntry, type Release, type ServiceState } from '../domain/index.js';
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
      s.stableRevision ?? '-',
      s.activeReleaseId ?? '-',
      s.queuedReleaseId ?? '-',
    ]),
  };
}

export function releaseRows(releases: Release[]): Rows {
  return {
    headers: ['RELEASE', 'PHASE', 'FLAGS', 'TRAFFIC', 'HEALTH', 'COMMIT', 'UPDATED', 'LAST DECISION'],
    rows: releases.map((r) => [
      r.id,
      r.phase,
      [r.paused ? 'paused' : '', r.awaitingApproval ? 'awaiting-approval' : '', r.queued ? 'queued' : ''].filter(Boolean).join(',') || '-',
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
