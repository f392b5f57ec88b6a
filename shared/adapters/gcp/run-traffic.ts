/**
 * Pure traffic planning for Cloud Run (no client here): given the service's current traffic, the
 * targets Cutover wants. Cutover owns two tags, `candidate` and `previous`; every other tag a user
 * set is kept (at 0%, so it keeps its URL), and every target names a revision explicitly, never
 * LATEST, so a new template never takes traffic by itself.
 */
export const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
export const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
export const CANDIDATE_TAG = 'candidate';
export const PREVIOUS_TAG = 'previous';

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

const OWN_TAGS = new Set([CANDIDATE_TAG, PREVIOUS_TAG]);
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

/** Targets for a split: stable and candidate share 100; at 100 the old stable stays tagged `previous` for instant rollback. */
export function planSplit(current: Target[], statuses: TargetStatus[], latestReady: string | null | undefined, stable: string, candidate: string | null, percent: number): Target[] {
  const kept = userTags(current, statuses, latestReady, [stable, candidate]);
  if (!candidate || candidate === stable) return [{ type: REVISION, revision: stable, percent: 100 }, ...kept];
  if (percent >= 100) return [{ type: REVISION, revision: candidate, percent: 100, tag: CANDIDATE_TAG }, { type: REVISION, revision: stable, percent: 0, tag: PREVIOUS_TAG }, ...kept];
  return [{ type: REVISION, revision: stable, percent: 100 - percent }, { type: REVISION, revision: candidate, percent, tag: CANDIDATE_TAG }, ...kept];
}

export function observedPercent(statuses: TargetStatus[], latestReady: string | null | undefined, candidate: string | null): number {
  if (!candidate) return 0;
  return statuses.filter((s) => (isLatest(s) ? latestReady : s.revision) === candidate).reduce((sum, s) => sum + (s.percent ?? 0), 0);
}
