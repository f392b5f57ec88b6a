import { holdLabels, rollbackOf, type Release, type ServiceState } from '../domain/index.js';
import { isoTime, type Rows } from './rows.js';

/**
 * Where each build stands along a pipeline (`cutover pipeline SERVICE`): the stages in order,
 * one row per build, one cell per stage. Pure: the CLI reads the services and releases.
 */

/** The stages of the pipeline a service is in, first to last: up through `promotion.from`, then down through the stages that name each one. */
export function pipelineStages(services: readonly ServiceState[], service: string): string[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  let first = service;
  const climbed = new Set([first]);
  for (let from = byName.get(first)?.config.promotion?.from; from && byName.has(from) && !climbed.has(from); from = byName.get(from)?.config.promotion?.from) {
    climbed.add(from);
    first = from;
  }
  // Breadth first from the first stage: a stage may fan out to several (prod-eu, prod-us).
  const order = [first];
  for (let i = 0; i < order.length; i += 1) {
    const after = services.filter((s) => s.config.promotion?.from === order[i] && !order.includes(s.name)).map((s) => s.name).sort();
    order.push(...after);
  }
  return order;
}

/** One cell: the phase, what holds it, how it ended when it was revoked or rolled back, and a check after completion not passed. */
export function stageCell(release: Release | undefined): string {
  if (!release) return '-';
  const { phase, sub } = release.state;
  const labels = holdLabels(release.state);
  const soak = sub === 'soaking' && release.promotion ? ` until ${isoTime(release.promotion.soakUntil)}` : '';
  const cause = rollbackOf(release.state)?.cause;
  const revoked = release.promotion?.revokedAt != null && phase === 'complete' ? ' (revoked)' : '';
  return `${phase}${labels.length ? ` (${labels.join(',')})` : ''}${soak}${cause ? ` (${cause})` : ''}${revoked}${phase === 'complete' ? checks(release) : ''}`;
}

/** A completed release's checks after completion that have not passed: what the stages after wait on, or why they revoked the build. */
function checks(release: Release): string {
  const open = (release.hookRuns ?? []).filter((r) => r.at === 'after-complete' && r.status !== 'passed');
  return open.map((r) => ` (${r.status === 'running' ? 'checking' : 'check failed'}: ${r.hook})`).join('');
}

/** One row per build, newest first (by when it first appeared in any stage), its image, and each stage's release of it. */
export function pipelineRows(stages: readonly string[], releases: readonly Release[]): Rows {
  const builds = new Map<string, { image: string; at: number; cells: Map<string, Release> }>();
  for (const r of releases) {
    if (r.target !== undefined || !stages.includes(r.service)) continue;
    const row = builds.get(r.build.id) ?? { image: r.build.image ?? '-', at: r.createdAt, cells: new Map<string, Release>() };
    row.at = Math.min(row.at, r.createdAt);
    row.cells.set(r.service, r);
    builds.set(r.build.id, row);
  }
  const ordered = [...builds.entries()].sort(([, a], [, b]) => b.at - a.at);
  return {
    headers: ['BUILD', 'IMAGE', ...stages.map((s) => s.toUpperCase())],
    rows: ordered.map(([build, row]) => [build, shortImage(row.image), ...stages.map((s) => stageCell(row.cells.get(s)))]),
  };
}

/** The digest is what is promoted: `repo/name@sha256:1234567890ab`. */
const shortImage = (image: string): string => image.replace(/^.*\//, '').replace(/(@sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');
