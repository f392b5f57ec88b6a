import type { HistoryEntry, Release, ServiceState } from '../shared/domain/index.js';
import type { RejectedEvent } from '../shared/ports/index.js';
import { historyRows, rejectedRows, releaseRows, serviceRows, type Rows } from '../shared/views/rows.js';
import { analysisHeadline, metricRows, type RecordedAnalysis } from '../shared/views/analysis.js';

/** Plain-text tables: columns padded to the widest cell, no colours (pipes and logs stay clean). */
export function table({ headers, rows }: Rows): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export const servicesTable = (services: ServiceState[]): string => table(serviceRows(services));
export const releasesTable = (releases: Release[]): string => table(releaseRows(releases));
export const historyTable = (entries: HistoryEntry[]): string => table(historyRows(entries));
export const rejectedTable = (entries: (RejectedEvent & { id: string })[]): string => table(rejectedRows(entries));

/** One analysis: when, at which traffic, its headline, the metrics table, and the confirmation if one was needed. */
export function analysisText(a: RecordedAnalysis): string {
  const when = `${new Date(a.at).toISOString()}${a.trafficPercent === null ? '' : ` at ${a.trafficPercent}%`} (${a.reason})`;
  const confirmation = a.confirmation ? `\nconfirmation: ${a.confirmation.verdict} — ${a.confirmation.detail}` : '';
  return `${when}\n${analysisHeadline(a.analysis)}\n${table(metricRows(a.analysis))}${confirmation}\n(* critical: failing it fails the analysis)`;
}
