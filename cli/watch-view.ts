import type { Release, ServiceState } from '../shared/domain/index.js';
import { holdLabels, type Phase } from '../shared/domain/index.js';

/**
 * The live view of releases (cutover watch, npm start): one block per service with its newest
 * release — phase, step, traffic bar, health. Colours only on a TTY; `plainLine` gives the
 * one-line form printed on change when output is not a terminal.
 */
export interface WatchSnapshot {
  services: { service: ServiceState; releases: Release[] }[];
  /** Extra lines (e.g. live traffic per version from the local router). */
  footer?: string[];
}

const COLOURS: Partial<Record<Phase, number>> = {
  pending: 90, deploying: 36, verifying: 36, shifting: 36, complete: 32, rolling_back: 33, rolled_back: 31, failed: 31, superseded: 90,
};
const paint = (tty: boolean, code: number | undefined, text: string) => (tty && code ? `\x1b[${code}m${text}\x1b[0m` : text);

export function bar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function step(release: Release, service: ServiceState): string {
  if (release.stepIndex === null) return '-';
  return `${release.stepIndex + 1}/${service.config.steps.length}`;
}

function health(release: Release): string {
  const h = release.health;
  if (!h) return 'health -';
  const rate = h.errorRate === null ? 'n/a' : `${(h.errorRate * 100).toFixed(1)}%`;
  const p99 = h.measurements?.p99LatencyMs ?? null;
  return `${h.verdict} err ${rate}${p99 === null ? '' : ` p99≤${p99}ms`} (${h.measurements?.requests ?? 0} req)`;
}

export function plainLine(release: Release, service: ServiceState): string {
  const traffic = release.traffic.observedPercent ?? 0;
  const flags = holdLabels(release.state).join(',');
  return `${release.service} ${release.id} ${release.state.phase}${flags ? ` (${flags})` : ''} step ${step(release, service)} candidate ${traffic}% ${health(release)} — ${release.lastDecision.reason}: ${release.lastDecision.message}`;
}

export function renderWatch(snapshot: WatchSnapshot, tty: boolean, now: number): string {
  const lines: string[] = [paint(tty, 1, `cutover watch — ${new Date(now).toISOString().replace(/\.\d+Z$/, 'Z')}`), ''];
  for (const { service, releases } of snapshot.services) {
    lines.push(paint(tty, 1, `${service.name}`) + `  stable ${service.stableRevision ?? '(router default)'}  steps ${service.config.steps.join('/')}`);
    if (releases.length === 0) lines.push('  no releases yet');
    for (const [i, release] of releases.entries()) {
      const traffic = release.traffic.observedPercent ?? 0;
      const phase = paint(tty, COLOURS[release.state.phase], release.state.phase.padEnd(12));
      if (i === 0) {
        lines.push(`  ${release.id}`);
        lines.push(`    ${phase} step ${step(release, service).padEnd(4)} ${bar(traffic)} ${String(traffic).padStart(3)}% candidate (want ${release.traffic.desiredPercent}%)`);
        lines.push(`    ${health(release)}`);
        lines.push(`    ${release.lastDecision.reason}: ${release.lastDecision.message}`.slice(0, 160));
      } else {
        lines.push(`  ${phase} ${release.id}  ${release.lastDecision.reason}`);
      }
    }
    lines.push('');
  }
  if (snapshot.footer?.length) lines.push(...snapshot.footer);
  return lines.join('\n');
}
