import { readFileSync } from 'node:fs';
import { rollbackOf, type Release } from '../../shared/domain/index.js';

/** The version-1 release documents of test/integration/fixtures, and what their flags meant. */
export type StoredV1 = Record<string, unknown> & { id: string; phase: string; paused: boolean; queued: boolean; awaitingApproval: boolean };

/** As stored: times marked `{"__timestampMillis": …}`, as the Firestore codec wrote Timestamps. */
export const v1Documents = (): StoredV1[] => JSON.parse(readFileSync(new URL('../integration/fixtures/release-v1-documents.json', import.meta.url), 'utf8')) as StoredV1[];

/** What version 1's flags were, read back from a version-2 release: the migration loses none of them. */
export function v1FlagsOf(release: Release) {
  const { state } = release;
  const resumeTo = state.sub === 'paused' ? state.resumeTo : null;
  const rollback = rollbackOf(state);
  return {
    phase: state.phase,
    paused: state.sub === 'paused' || state.sub === 'stranded',
    queued: state.sub === 'queued' || resumeTo === 'queued',
    awaitingApproval: state.sub === 'awaitingApproval' || resumeTo === 'awaitingApproval',
    rollbackCause: rollback?.cause ?? null,
    rollbackStartedAt: rollback?.startedAt ?? null,
    breachStartedAt: rollback?.breachStartedAt ?? null,
    watchUntil: state.phase === 'complete' ? state.watchUntil : null,
  };
}
