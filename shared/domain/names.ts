/** Cloud Run's service-name rule; also what ingest accepts as a service (it becomes a document id). */
export const SERVICE_NAME_RULE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What a release id may hold (`releaseIdForBuild`: the service name, "-", the build id; a region's release adds `@region`): safe as a document id and in a URL. */
export const RELEASE_ID_RULE = /^[a-z][A-Za-z0-9_.-]*(@[a-z][a-z0-9-]{0,62})?$/;

/** A region's release of a rollout (`{rollout}@{region}`): the rollout speaks for it to hooks and the four keys. */
export const isRegionRelease = (releaseId: string): boolean => releaseId.includes('@');
export const regionReleaseId = (rolloutId: string, region: string): string => `${rolloutId}@${region}`;
/** The rollout a release belongs to: itself, or, for a region's release, the id before `@region`. */
export const rolloutIdOf = (release: { id: string; target?: string | undefined }): string =>
  release.target === undefined ? release.id : release.id.slice(0, release.id.length - release.target.length - 1);

/** An alert policy's resource name: the only way a service lists one (a display name is free text anyone with policy edit rights can copy). */
export const ALERT_POLICY_NAME = /^projects\/[a-z0-9][a-z0-9.:-]{0,62}\/alertPolicies\/[A-Za-z0-9_-]{1,128}$/;
