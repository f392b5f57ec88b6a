import type { HistoryEntry, Release, ServiceState } from '../shared/domain/index.js';
import type { RejectedEvent } from '../shared/ports/index.js';
import { historyRows, rejectedRows, releaseRows, serviceRows, type Rows } from '../shared/views/rows.js';

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
