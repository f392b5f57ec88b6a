import { describe, expect, it } from 'vitest';
import { decide, type ReleaseState } from '../../shared/domain/index.js';
import { T0, ctxAt, everyState, ev, releaseIn, serviceState } from '../support/fixtures.js';

/**
 * Pause and resume over every declared sub-state: a pause keeps what the release was doing in
 * `resumeTo`, and a resume returns it there exactly; a held release (paused, stranded) takes no
 * second pause; a stranded release resumes shifting.
 */
const run = (state: ReleaseState, command: 'pause' | 'resume') => {
  const release = releaseIn(state.phase, { state, verification: null });
  const service = serviceState({}, state.phase === 'complete' ? { lastCompletedReleaseId: release.id } : { activeReleaseId: release.id });
  const decision = decide({ service, releases: [release] }, ev({ kind: 'command', releaseId: release.id, command, actor: 'ops@example.com', why: null }), ctxAt(T0));
  return { status: decision.outcome.status, state: decision.releases.find((r) => r.id === release.id)?.state };
};

describe('pause and resume, state by state', () => {
  it.each(everyState().map((s) => [`${s.phase}/${s.sub}${s.sub === 'paused' ? `→${s.resumeTo}` : ''}`, s] as const))('%s', (_name, state) => {
    const before = ['pending', 'deploying', 'verifying', 'shifting'].includes(state.phase);
    const held = state.sub === 'paused' || state.sub === 'stranded';
    const paused = run(state, 'pause');
    if (!before || held) {
      expect(paused.status).toBe('rejected');
    } else {
      expect(paused.status).toBe('applied');
      expect(paused.state).toEqual({ phase: state.phase, sub: 'paused', resumeTo: state.sub });
      expect(run(paused.state as ReleaseState, 'resume').state).toEqual(state);
    }
    const resumed = run(state, 'resume');
    if (state.sub === 'paused') expect(resumed.state).toEqual({ phase: state.phase, sub: state.resumeTo });
    else if (state.sub === 'stranded') expect(resumed.state).toEqual({ phase: state.phase, sub: 'running' });
    else expect(resumed.status).toBe('rejected');
  });
});
