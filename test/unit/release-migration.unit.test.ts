import { describe, expect, it } from 'vitest';
import { RELEASE_SCHEMA_VERSION, readRelease } from '../../shared/domain/index.js';
import { v1Documents, v1FlagsOf, type StoredV1 } from '../support/v1-documents.js';

/**
 * The migration over every version-1 document the fixture holds, in memory (the emulator test,
 * test/integration/release-migration.test.ts, reads the same documents through the store): each
 * flag version 1 wrote can be read back from the version-2 state, and nothing else changes.
 */
const millisOf = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(millisOf);
  if (value !== null && typeof value === 'object') {
    const marked = value as { __timestampMillis?: number };
    if (typeof marked.__timestampMillis === 'number') return marked.__timestampMillis;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, millisOf(v)]));
  }
  return value;
};
const docs = v1Documents().map((d) => millisOf(d) as StoredV1);

describe('reading every version-1 document of the fixture', () => {
  it.each(docs.map((d) => [d.id, d] as const))('%s', (_id, doc) => {
    const read = readRelease(doc);
    expect(read.schemaVersion).toBe(RELEASE_SCHEMA_VERSION);
    const inFlight = doc.inFlight as { pending?: boolean } | null;
    expect({ ...v1FlagsOf(read), pending: read.inFlight ? read.inFlight.progress === 'accepted' : null }).toEqual({
      phase: doc.phase,
      paused: doc.paused,
      queued: doc.queued,
      awaitingApproval: doc.awaitingApproval,
      rollbackCause: doc.rollbackCause ?? null,
      rollbackStartedAt: doc.rollbackStartedAt ?? null,
      breachStartedAt: doc.breachStartedAt ?? null,
      watchUntil: doc.phase === 'complete' ? doc.watchUntil : null,
      pending: inFlight ? inFlight.pending === true : null,
    });
    // Every other field as it was written.
    const { phase: _p, paused: _pa, queued: _q, awaitingApproval: _a, rollbackCause: _c, rollbackStartedAt: _s, breachStartedAt: _b, watchUntil: _w, schemaVersion: _v, inFlight: _f, ...rest } = doc;
    const { state: _state, schemaVersion: _v2, inFlight: _f2, ...kept } = read;
    expect(kept).toMatchObject(rest);
    // Read again, a version-2 document is itself.
    expect(readRelease(read)).toEqual(read);
  });

  it('a document of neither version is refused', () => {
    expect(() => readRelease({ ...docs[0], schemaVersion: 3 })).toThrow();
    expect(() => readRelease(null)).toThrow();
  });
});
