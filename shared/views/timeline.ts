import type { HistoryEntry, Release } from '../domain/index.js';
import { recordedAnalyses } from './analysis.js';

/**
 * A release's timeline as server-rendered SVG (no script): candidate traffic over time (a step
 * line); the error rate of each health reading kept in history, the candidate's (dots) against its
 * baseline's (hollow squares) and the SLO's threshold (a dashed line); the p99 latency bound of
 * both arms; and a marker for every decision, titled with its reason. Text alternatives: the SVG's
 * <title>/<desc>, each point's and marker's <title>, and the history table beside it.
 */
const W = 720;
const PANEL = 90;
const GAP = 28;
const LEFT = 44;
const RIGHT = 12;
const TOP = 14;

interface Point {
  at: number;
  value: number;
}

function errorRateOf(entry: HistoryEntry): number | null {
  const health = (entry.details as { health?: { errorRate?: number | null } } | null)?.health;
  return typeof health?.errorRate === 'number' ? health.errorRate : null;
}

function thresholdOf(release: Release, history: readonly HistoryEntry[]): number | null {
  if (release.health) return release.health.thresholds.maxErrorRate;
  for (const h of history) {
    const t = (h.details as { health?: { thresholds?: { maxErrorRate?: number } } } | null)?.health?.thresholds?.maxErrorRate;
    if (typeof t === 'number') return t;
  }
  return null;
}

/** The series the chart draws, exposed for tests and for the text alternative. */
export function timelineSeries(release: Release, history: readonly HistoryEntry[], now: number) {
  const entries = [...history].sort((a, b) => a.seq - b.seq);
  const traffic: Point[] = [];
  for (const h of entries) if (h.trafficPercent !== null && traffic.at(-1)?.value !== h.trafficPercent) traffic.push({ at: h.at, value: h.trafficPercent });
  const errors: Point[] = entries.flatMap((h) => {
    const rate = errorRateOf(h);
    return rate === null ? [] : [{ at: h.at, value: rate }];
  });
  // Candidate against baseline, per metric, from the analyses each decision kept.
  const analyses = recordedAnalyses(entries);
  const metric = (name: string, arm: 'candidate' | 'baseline'): Point[] =>
    analyses.flatMap((a) => {
      const value = a.analysis.metrics.find((m) => m.metric === name)?.[arm];
      return typeof value === 'number' ? [{ at: a.at, value }] : [];
    });
  const baselineErrors = metric('error-ratio', 'baseline');
  const latency = { candidate: metric('latency-p99', 'candidate'), baseline: metric('latency-p99', 'baseline') };
  const start = Math.min(release.createdAt, ...entries.map((h) => h.at));
  const last = Math.max(start + 1_000, ...entries.map((h) => h.at));
  const end = ['complete', 'rolled_back', 'failed', 'superseded'].includes(release.state.phase) ? last : Math.max(last, now);
  return { start, end, traffic, errors, baselineErrors, latency, threshold: thresholdOf(release, entries), decisions: entries.map((h) => ({ at: h.at, reason: h.reason, phase: h.toPhase, message: h.message })) };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number) => n.toFixed(1);

export function renderTimeline(release: Release, history: readonly HistoryEntry[], now: number): string {
  const s = timelineSeries(release, history, now);
  const x = (at: number) => LEFT + ((at - s.start) / (s.end - s.start)) * (W - LEFT - RIGHT);
  const trafficY = (pct: number) => TOP + PANEL - (pct / 100) * PANEL;
  const errTop = TOP + PANEL + GAP;
  const errMax = Math.max(0.01, (s.threshold ?? 0) * 2, ...s.errors.map((p) => p.value), ...s.baselineErrors.map((p) => p.value));
  const errorY = (rate: number) => errTop + PANEL - (Math.min(rate, errMax) / errMax) * PANEL;
  const latTop = errTop + PANEL + GAP;
  const latMax = Math.max(10, ...s.latency.candidate.map((p) => p.value), ...s.latency.baseline.map((p) => p.value));
  const latencyY = (ms: number) => latTop + PANEL - (Math.min(ms, latMax) / latMax) * PANEL;
  const at = (p: Point) => new Date(p.at).toISOString();
  const square = (series: string, cx: number, cy: number, title: string) => `<rect data-series="${series}" x="${fmt(cx - 3)}" y="${fmt(cy - 3)}" width="6" height="6" fill="none" stroke="#1f4e9c"><title>${esc(title)}</title></rect>`;
  const baselineDots = s.baselineErrors.map((p) => square('baseline-error-rate', x(p.at), errorY(p.value), `baseline ${(p.value * 100).toFixed(2)}% errors at ${at(p)}`)).join('');
  const latencyDots = [
    ...s.latency.candidate.map((p) => `<circle data-series="latency-p99" cx="${fmt(x(p.at))}" cy="${fmt(latencyY(p.value))}" r="3"><title>candidate p99 ≤ ${p.value} ms at ${at(p)}</title></circle>`),
    ...s.latency.baseline.map((p) => square('baseline-latency-p99', x(p.at), latencyY(p.value), `baseline p99 ≤ ${p.value} ms at ${at(p)}`)),
  ].join('');
  const steps = s.traffic.length
    ? s.traffic.map((p, i) => `${i === 0 ? 'M' : 'H'}${fmt(x(p.at))}${i === 0 ? ` ${fmt(trafficY(p.value))}` : ` V${fmt(trafficY(p.value))}`}`).join(' ') + ` H${fmt(x(s.end))}`
    : '';
  const errorDots = s.errors.map((p) => `<circle data-series="error-rate" cx="${fmt(x(p.at))}" cy="${fmt(errorY(p.value))}" r="3"><title>${(p.value * 100).toFixed(2)}% errors at ${new Date(p.at).toISOString()}</title></circle>`).join('');
  const threshold = s.threshold === null ? '' : `<line data-series="slo" x1="${LEFT}" x2="${W - RIGHT}" y1="${fmt(errorY(s.threshold))}" y2="${fmt(errorY(s.threshold))}" stroke="#b00" stroke-dasharray="4 3"><title>SLO: at most ${(s.threshold * 100).toFixed(2)}% errors</title></line>`;
  const marks = s.decisions.map((d) => `<line data-series="decision" data-reason="${esc(d.reason)}" x1="${fmt(x(d.at))}" x2="${fmt(x(d.at))}" y1="${TOP}" y2="${latTop + PANEL}" stroke="#999" stroke-width="1"><title>${esc(`${new Date(d.at).toISOString()} ${d.reason} → ${d.phase}: ${d.message}`)}</title></line>`).join('');
  const last = s.traffic.at(-1)?.value ?? 0;
  const highest = (points: Point[]) => (points.length ? Math.max(...points.map((p) => p.value)) : null);
  const baseErr = highest(s.baselineErrors);
  const desc = `Candidate traffic ${s.traffic.map((p) => `${p.value}%`).join(' → ') || 'never set'}, now ${last}%; ${s.errors.length} error-rate reading(s)${s.errors.length ? `, highest ${((highest(s.errors) ?? 0) * 100).toFixed(2)}%` : ''}${baseErr === null ? '' : ` (baseline's highest ${(baseErr * 100).toFixed(2)}%)`}${s.threshold === null ? '' : ` against an SLO of ${(s.threshold * 100).toFixed(2)}%`}${s.latency.candidate.length ? `; ${s.latency.candidate.length} p99 reading(s), highest ${highest(s.latency.candidate)} ms (baseline's ${highest(s.latency.baseline) ?? 'n/a'} ms)` : ''}; ${s.decisions.length} decision(s).`;
  const height = latTop + PANEL + 20;
  return `<figure class="timeline">
<svg role="img" aria-labelledby="tl-title tl-desc" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" font-size="10" font-family="system-ui,sans-serif">
<title id="tl-title">Timeline of ${esc(release.id)}</title>
<desc id="tl-desc">${esc(desc)}</desc>
<text x="4" y="${TOP + 8}">traffic</text><text x="4" y="${TOP + PANEL}">0%</text><text x="4" y="${TOP + 16}">100%</text>
<text x="4" y="${errTop + 8}">errors</text><text x="4" y="${errTop + 16}">${(errMax * 100).toFixed(1)}%</text>
<rect x="${LEFT}" y="${TOP}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="#f7f9fc"/>
<rect x="${LEFT}" y="${errTop}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="#fdf7f7"/>
<text x="4" y="${latTop + 8}">p99</text><text x="4" y="${latTop + 16}">${latMax} ms</text>
<rect x="${LEFT}" y="${latTop}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="#f7f7fd"/>
${marks}
${steps ? `<path data-series="traffic" d="${steps}" fill="none" stroke="#2a7d2a" stroke-width="2"><title>candidate traffic</title></path>` : ''}
${threshold}
${errorDots}
${baselineDots}
${latencyDots}
<text x="${LEFT}" y="${height - 4}">${esc(new Date(s.start).toISOString())}</text><text x="${W - RIGHT}" y="${height - 4}" text-anchor="end">${esc(new Date(s.end).toISOString())}</text>
</svg>
<figcaption class="muted">${esc(desc)} Dots: the candidate; hollow squares: its baseline. Hover a marker for its decision; the table below lists them all.</figcaption>
</figure>`;
}
