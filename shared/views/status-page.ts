import type { CommandName, FourKeys, HistoryEntry, Release, ServiceState } from '../domain/index.js';
import { holdLabels, rollbackOf, TARGET_TRAITS } from '../domain/index.js';
import { noticeText, type PolicyNotice } from './policies.js';
import { changeFailureText, durationText, historyRows, isoTime, releaseRows, type Rows } from './rows.js';
import { steeringSection, type PageSteering } from './steering.js';
import { renderTimeline } from './timeline.js';
import { analysisHeadline, latestAnalysis, metricRows } from './analysis.js';

/**
 * The read-only status page, rendered on the server as plain HTML (no script, no assets), so it
 * works behind any proxy and in any browser. It shows what the CLI's `status` and `history` show,
 * from the same rows. Links are query strings (`?release=ID`), which keep working whatever path
 * prefix the page is served under (a Cloud Functions URL, or a local port).
 */
export interface OverviewModel {
  services: { service: ServiceState; releases: Release[]; keys?: { current: FourKeys; previous: FourKeys }; policies?: PolicyNotice[] }[];
  now: number;
}

export interface ReleaseModel {
  release: Release;
  history: HistoryEntry[];
  now: number;
  /** Set where people may steer from the page (a sign-in and onCommand are configured), with the commands the release can take now. */
  steering?: { page: PageSteering; commands: CommandName[] };
  /** Of a release in several regions: each region's release that started, in wave order. */
  regions?: Release[];
}

const REFRESH_SECONDS = 5;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const link = (releaseId: string) => `<a href="?release=${encodeURIComponent(releaseId)}">${escapeHtml(releaseId)}</a>`;

function htmlTable({ headers, rows }: Rows, firstCell: (cell: string) => string = escapeHtml, rowClass: (row: string[]) => string = () => ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr${rowClass(r) ? ` class="${escapeHtml(rowClass(r))}"` : ''}>${r.map((c, i) => `<td>${i === 0 ? firstCell(c) : escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function page(title: string, now: number, body: string, steerable = false): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${steerable ? '' : `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`}
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{font-size:12px;color:#555}
.bar{display:inline-block;width:12rem;height:.8rem;background:#cfe3ff;vertical-align:middle}
.bar span{display:block;height:100%;background:#2a7d2a}
.muted{color:#777}
tr.phase-complete td:nth-child(2){background:#dff3df}
tr.phase-rolled_back td:nth-child(2),tr.phase-failed td:nth-child(2){background:#fbdcdc}
tr.phase-rolling_back td:nth-child(2){background:#fde6cc}
tr.phase-shifting td:nth-child(2),tr.phase-verifying td:nth-child(2),tr.phase-deploying td:nth-child(2){background:#dfe9fb}
tr.phase-pending td:nth-child(2),tr.phase-superseded td:nth-child(2){background:#eee}
.keys{margin:.25rem 0 .5rem}
.freeze{border-left:4px solid #b45309;background:#fff7ed;padding:.25rem .5rem}
</style>
</head>
<body>
${body}
<p class="muted">As of ${escapeHtml(isoTime(now))}; refreshes every ${REFRESH_SECONDS} s. ${steerable ? 'Commands go to onCommand with your own sign-in; they are recorded under your name.' : 'Steer releases with the <code>cutover</code> CLI, or from a release\'s page where sign-in is set up.'}</p>
</body>
</html>
`;
}

export function renderOverview(model: OverviewModel): string {
  const sections = model.services.map(({ service, releases, keys, policies }) => {
    const stable = `${TARGET_TRAITS[service.config.router.kind].liveLabel} ${service.stableRevision ?? '-'}`;
    const facts = `${service.config.router.kind} · steps ${service.config.steps.join('/')} · ${stable} · active ${service.activeReleaseId ?? '-'} · queued ${service.queuedReleaseId ?? '-'}`;
    const table = releases.length ? htmlTable(releaseRows(releases), link, (row) => `phase-${row[1] ?? ''}`) : '<p class="muted">No releases yet.</p>';
    const notices = (policies ?? []).map((p) => `<p class="freeze" role="status">${escapeHtml(noticeText(p))}</p>`).join('\n');
    return `<h2>${escapeHtml(service.name)}</h2>\n<p class="muted">${escapeHtml(facts)}</p>\n${notices}\n${keys ? keysLine(keys.current, keys.previous) : ''}\n${table}`;
  });
  const empty = '<p>No services registered yet: <code>cutover services apply FILE</code>.</p>';
  return page('Cutover — releases', model.now, `<h1>Cutover releases</h1>\n${sections.join('\n') || empty}`);
}

/** The four keys of the last 30 days, each with its trend against the 30 days before (text, not only colour). */
function keysLine(now: FourKeys, before: FourKeys): string {
  const trend = (a: number | null, b: number | null, higherIsBetter: boolean) => {
    if (a === null || b === null || a === b) return '';
    const up = a > b;
    return ` <span title="${up ? 'up' : 'down'} from ${b.toFixed(2)} in the 30 days before">${up ? '↑' : '↓'}${up === higherIsBetter ? '' : ' (worse)'}</span>`;
  };
  const cfr = changeFailureText(now);
  return `<p class="keys" data-keys><strong>Last 30 days:</strong> ${now.deployments} deploys, ${now.deploymentsPerDay.toFixed(2)}/day${trend(now.deploymentsPerDay, before.deploymentsPerDay, true)} · lead time p50 ${escapeHtml(durationText(now.leadTimeMs.p50))}${trend(now.leadTimeMs.p50, before.leadTimeMs.p50, false)} · change failure ${escapeHtml(cfr)}${trend(now.changeFailure.rate, before.changeFailure.rate, false)} · restore p50 ${escapeHtml(durationText(now.timeToRestoreMs.p50))}${trend(now.timeToRestoreMs.p50, before.timeToRestoreMs.p50, false)}</p>`;
}

/** The last verdict with the figures behind it and the thresholds it was judged against. */
function healthText(health: Release['health']): string {
  if (!health) return '-';
  const m = health.measurements;
  const t = health.thresholds;
  const figures = m ? `${m.errors} errors in ${m.requests} requests${m.p99LatencyMs === null ? '' : `, p99 ${m.p99LatencyMs.toFixed(0)} ms`}` : `no measurements${health.error ? ` (${health.error})` : ''}`;
  const limits = `max error rate ${(t.maxErrorRate * 100).toFixed(2)}%, min ${t.minRequests} requests${t.maxP99LatencyMs === null ? '' : `, max p99 ${t.maxP99LatencyMs} ms`}`;
  return `${health.verdict}: ${figures} (${limits})${health.reasons.length ? ` — ${health.reasons.join(', ')}` : ''}`;
}

/** The newest analysis: every metric's figures, as `cutover analysis` prints them. */
function analysisSection(r: Release): string {
  const latest = latestAnalysis(r);
  if (!latest) return '';
  const confirmation = latest.confirmation ? `<p class="muted" data-confirmation="${escapeHtml(latest.confirmation.verdict)}">Confirmation by Cloud Monitoring: ${escapeHtml(latest.confirmation.verdict)} — ${escapeHtml(latest.confirmation.detail)}</p>` : '';
  return `<h2>Analysis</h2>
<p data-analysis="${escapeHtml(latest.analysis.verdict)}">${escapeHtml(analysisHeadline(latest.analysis))}</p>
${htmlTable(metricRows(latest.analysis))}
${confirmation}
<p class="muted">* critical: failing it fails the analysis. Each p-value is held to the alpha beside it; see docs/analysis.md.</p>`;
}

export function renderRelease({ release: r, history, now, steering, regions }: ReleaseModel): string {
  const observed = r.traffic.observedPercent;
  const bar = `<span class="bar" title="candidate ${observed ?? 0}%"><span style="width:${observed ?? 0}%"></span></span>`;
  const facts: [string, string][] = [
    ['Phase', `${r.state.phase}${holdLabels(r.state).map((l) => ` (${l.replace('-', ' ')})`).join('')}${r.hold ? ` (held by ${r.hold.scope} policy ${r.hold.policy} ${r.hold.until === null ? 'until it changes' : `until ${isoTime(r.hold.until)}`}; override needs the ${r.hold.overrideRole} role)` : ''}`],
    ['Traffic', `candidate ${observed ?? '-'}% observed, ${r.traffic.desiredPercent}% desired`],
    ['Health', healthText(r.health)],
    // On GKE behind a load balancer a release moves traffic between two colours: say so.
    ...((isColour(r.candidate.revision) && isColour(r.stableRevision)
      ? [
          ['Candidate colour', r.candidate.revision],
          ['Stable colour', `${r.stableRevision} (what a rollback returns to)`],
        ]
      : [
          ['Candidate', r.candidate.revision ?? '-'],
          ['Stable', r.stableRevision ?? '-'],
        ]) as [string, string][]),
    ['Build', `${r.build.id} (${r.build.status}), commit ${r.build.commit ?? '-'}`],
    ['Image', r.build.image ?? '-'],
    ['Last decision', `${r.lastDecision.reason}: ${r.lastDecision.message}`],
    ['Rollback cause', rollbackOf(r.state)?.cause ?? '-'],
  ];
  const dl = facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}${k === 'Traffic' ? ` ${bar}` : ''}</td></tr>`).join('\n');
  const body = `<p><a href="?">← all releases</a></p>
<h1>${escapeHtml(r.id)}</h1>
<table>\n${dl}\n</table>
${regions?.length ? `<h2>Regions</h2>\n${htmlTable(releaseRows(regions), link, (row) => `phase-${row[1] ?? ''}`)}` : ''}
${renderTimeline(r, history, now)}
${analysisSection(r)}
${steering ? steeringSection(r, steering.commands, steering.page, escapeHtml) : ''}
<h2>History</h2>
${history.length ? htmlTable(historyRows(history)) : '<p class="muted">No history yet.</p>'}`;
  return page(`Cutover — ${r.id}`, now, body, steering !== undefined);
}

const isColour = (revision: string | null): revision is 'blue' | 'green' => revision === 'blue' || revision === 'green';
