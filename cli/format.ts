import type { HistoryEntry, Release, ServiceState } from '../shared/domain/index.js';
import type { RejectedEvent } from '../shared/ports/index.js';
import { formatDuration } from '../shared/domain/index.js';

/** Plain-text tables: columns padded to the widest cell, no colours (pipes and logs stay clean). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const pct = (n: number | null) => (n === null ? '-' : `${n}%`);

export function servicesTable(services: ServiceState[]): string {
  return table(
    ['SERVICE', 'ROUTER', 'STEPS', 'BAKE', 'MAX ERR', 'STABLE', 'ACTIVE', 'QUEUED'],
    services.map((s) => [
      s.name,
      s.config.router.kind,
      s.config.steps.join('/'),
      formatDuration(s.config.bakeTime),
      `${(s.config.slo.maxErrorRate * 100).toFixed(2)}%`,
      s.stableRevision ?? '-',
      s.activeReleaseId ?? '-',
      s.queuedReleaseId ?? '-',
    ]),
  );
}

export function releasesTable(releases: Release[]): string {
  return table(
    ['RELEASE', 'PHASE', 'FLAGS', 'TRAFFIC', 'HEALTH', 'COMMIT', 'UPDATED', 'LAST DECISION'],
    releases.map((r) => [
      r.id,
      r.phase,
      [r.paused ? 'paused' : '', r.awaitingApproval ? 'awaiting-approval' : '', r.queued ? 'queued' : ''].filter(Boolean).join(',') || '-',
      `${pct(r.traffic.observedPercent)} (want ${pct(r.traffic.desiredPercent)})`,
      r.health ? `${r.health.verdict}${r.health.errorRate === null ? '' : ` ${(r.health.errorRate * 100).toFixed(2)}%`}` : '-',
      (r.build.commit ?? '-').slice(0, 12),
      time(r.updatedAt),
      `${r.lastDecision.reason}: ${r.lastDecision.message}`.slice(0, 100),
    ]),
  );
}

export function historyTable(entries: HistoryEntry[]): string {
  return table(
    ['SEQ', 'AT', 'EVENT', 'FROM', 'TO', 'TRAFFIC', 'REASON', 'BY', 'MESSAGE'],
    entries.map((h) => [
      String(h.seq),
      time(h.at),
      h.eventKind,
      h.fromPhase ?? '-',
      h.toPhase,
      pct(h.trafficPercent),
      h.reason,
      h.actor ?? '-',
      h.message,
    ]),
  );
}

export function rejectedTable(entries: (RejectedEvent & { id: string })[]): string {
  return table(
    ['RECEIVED', 'SOURCE', 'REASON', 'BYTES', 'MESSAGE'],
    entries.map((e) => [time(e.receivedAt), e.source, e.reason, String(e.bodyBytes), e.message.slice(0, 120)]),
  );
}
