/**
 * Pure traffic planning for Cloud Run (no client here): given the service's current traffic, the
 * targets Cutover wants. Cutover owns three tags, `candidate`, `baseline` (the twin) and `previous`;
 * every other tag a user set is kept (at 0%, so it keeps its URL), and every target names a
 * revision explicitly, never LATEST, so a new template never takes traffic by itself.
 */
export const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
export const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
export const CANDIDATE_TAG = 'candidate';
export const PREVIOUS_TAG = 'previous';
export const BASELINE_TAG = 'baseline';

export interface Target {
  /** The client reports enums as names; numbers are accepted too. */
  type?: string | number | null;
  revision?: string | null;
  percent?: number | null;
  tag?: string | null;
}

export interface TargetStatus extends Target {
  uri?: string | null;
}

const OWN_TAGS = new Set([CANDIDATE_TAG, PREVIOUS_TAG, BASELINE_TAG]);
const isLatest = (t: Target) => t.type === LATEST || t.type === 1;

/** The revision serving the most traffic other than the candidate: what "stable" means when unnamed. */
export function servingRevision(statuses: TargetStatus[], latestReady: string | null | undefined, exclude: string | null): string | null {
  const serving = statuses
    .map((s) => ({ revision: isLatest(s) ? (latestReady ?? null) : (s.revision ?? null), percent: s.percent ?? 0 }))
    .filter((s) => s.revision && s.revision !== exclude && s.percent > 0)
    .sort((a, b) => b.percent - a.percent);
  return serving[0]?.revision ?? null;
}

function userTags(current: Target[], statuses: TargetStatus[], latestReady: string | null | undefined, drop: (string | null)[]): Target[] {
  return current
    .filter((t) => t.tag && !OWN_TAGS.has(t.tag))
    .map((t) => ({ type: REVISION, revision: isLatest(t) ? (latestReady ?? resolve(statuses, t.tag)) : t.revision, percent: 0, tag: t.tag }))
    .filter((t) => t.revision && !drop.includes(t.revision ?? null));
}

const resolve = (statuses: TargetStatus[], tag: string | null | undefined) => statuses.find((s) => s.tag === tag)?.revision ?? null;

/** Targets for a deploy: today's split pinned to named revisions, plus the candidate at 0% with its tag. */
export function planDeploy(current: Target[], statuses: TargetStatus[], latestReady: string | null | undefined, candidate: string): Target[] {
  const pinned = statuses
    .filter((s) => (s.percent ?? 0) > 0)
    .map((s) => ({ type: REVISION, revision: isLatest(s) ? (latestReady ?? null) : (s.revision ?? null), percent: s.percent ?? 0, tag: s.tag && !OWN_TAGS.has(s.tag) ? s.tag : null }))
    .filter((t) => t.revision && t.revision !== candidate);
  const merged = new Map<string, Target>();
  for (const t of pinned) {
    const prev = merged.get(t.revision ?? '');
    merged.set(t.revision ?? '', { ...t, percent: (prev?.percent ?? 0) + (t.percent ?? 0) });
  }
  const previous = current.find((t) => t.tag === PREVIOUS_TAG)?.revision;
  const keepPrevious = previous && !merged.has(previous) && previous !== candidate ? [{ type: REVISION, revision: previous, percent: 0, tag: PREVIOUS_TAG }] : [];
  const kept = userTags(current, statuses, latestReady, [candidate, ...merged.keys()]);
  return [...merged.values(), ...keepPrevious, ...kept, { type: REVISION, revision: candidate, percent: 0, tag: CANDIDATE_TAG }];
}

/** Targets for adding one revision at 0% under a tag, keeping every target as it is (pinned to named revisions). */
export function planTagged(current: Target[], latestReady: string | null | undefined, revision: string, tag: string): Target[] {
  const pinned = current
    .map((t) => (isLatest(t) ? { type: REVISION, revision: latestReady ?? null, percent: t.percent ?? 0, tag: t.tag ?? null } : { type: REVISION, revision: t.revision ?? null, percent: t.percent ?? 0, tag: t.tag ?? null }))
    .filter((t) => t.revision && t.tag !== tag && !(t.revision === revision && (t.percent ?? 0) === 0));
  return [...pinned, { type: REVISION, revision, percent: 0, tag }];
}

/**
 * Targets for a split: stable, candidate and the baseline twin share 100 (the twin's share comes
 * from stable's); at 100 the old stable stays tagged `previous` for instant rollback and the twin
 * is dropped (untagged at 0%: Cloud Run scales it to zero).
 */
export function planSplit(current: Target[], statuses: TargetStatus[], latestReady: string | null | undefined, stable: string, candidate: string | null, percent: number, baseline: string | null = null, baselinePercent = 0): Target[] {
  const kept = userTags(current, statuses, latestReady, [stable, candidate, baseline]);
  if (!candidate || candidate === stable) return [{ type: REVISION, revision: stable, percent: 100 }, ...kept];
  if (percent >= 100) return [{ type: REVISION, revision: candidate, percent: 100, tag: CANDIDATE_TAG }, { type: REVISION, revision: stable, percent: 0, tag: PREVIOUS_TAG }, ...kept];
  const twin = baseline && baseline !== stable && baseline !== candidate && baselinePercent > 0 ? Math.min(baselinePercent, 100 - percent) : 0;
  const twinTarget = twin > 0 && baseline ? [{ type: REVISION, revision: baseline, percent: twin, tag: BASELINE_TAG }] : [];
  return [{ type: REVISION, revision: stable, percent: 100 - percent - twin }, { type: REVISION, revision: candidate, percent, tag: CANDIDATE_TAG }, ...twinTarget, ...kept].filter((t) => (t.percent ?? 0) > 0 || t.tag);
}

export function observedPercent(statuses: TargetStatus[], latestReady: string | null | undefined, candidate: string | null): number {
  if (!candidate) return 0;
  return statuses.filter((s) => (isLatest(s) ? latestReady : s.revision) === candidate).reduce((sum, s) => sum + (s.percent ?? 0), 0);
}
