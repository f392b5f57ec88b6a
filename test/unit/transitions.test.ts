import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PHASES, PHASE_EDGES, Reason, TERMINAL_PHASES, isLegalEdge, phaseDiagram } from '../../shared/domain/index.js';
import { Draft, UndeclaredEdgeError } from '../../shared/domain/decide/draft.js';
import { T0, ctxAt, ev, releaseIn, serviceState } from '../support/fixtures.js';
import { STATE_DOC, withDiagram } from '../../scripts/write-state-diagram.js';

describe('the legal phase edges (one table, read by the docs and the tests)', () => {
  it('docs/state.md shows exactly the diagram generated from the table (npm run docs:state)', () => {
    const doc = readFileSync(STATE_DOC, 'utf8');
    expect(withDiagram(doc)).toBe(doc);
    for (const [from, edges] of Object.entries(PHASE_EDGES)) {
      for (const edge of edges) expect(phaseDiagram()).toContain(`${from === 'new' ? '[*]' : from} --> ${edge.to}`);
    }
  });

  it('lists the edges the code takes that the old hand-drawn diagram left out', () => {
    expect(isLegalEdge('deploying', 'rolling_back')).toBe(true);
    expect(isLegalEdge('pending', 'superseded')).toBe(true);
    expect(isLegalEdge('pending', 'rolled_back')).toBe(true);
    expect(isLegalEdge(null, 'deploying')).toBe(true);
    expect(isLegalEdge(null, 'failed')).toBe(true);
  });

  it('refuses what must never happen', () => {
    expect(isLegalEdge('rolled_back', 'shifting')).toBe(false);
    expect(isLegalEdge('complete', 'rolled_back')).toBe(false);
    expect(isLegalEdge('pending', 'shifting')).toBe(false);
    expect(isLegalEdge('rolling_back', 'complete')).toBe(false);
    expect(isLegalEdge(null, 'rolling_back')).toBe(false);
    for (const terminal of TERMINAL_PHASES) if (terminal !== 'complete') expect(PHASE_EDGES[terminal]).toEqual([]);
    for (const phase of PHASES) expect(isLegalEdge(phase, phase)).toBe(true);
  });

  it('the draft moves a release only along a declared edge: anything else is an error, and nothing is recorded', () => {
    const pending = releaseIn('pending');
    const draft = new Draft({ service: serviceState(), releases: [pending] }, ev({ kind: 'tick', releaseId: pending.id }), ctxAt(T0));
    const release = draft.get(pending.id);
    if (!release) throw new Error('no release');
    expect(() => draft.record(release, { state: { phase: 'complete', sub: 'watching', watchUntil: 0 } }, Reason.Completed, 'skipping ahead')).toThrow(UndeclaredEdgeError);
    expect(() => draft.touch(release, { state: { phase: 'shifting', sub: 'running' } })).toThrow(/pending → shifting on tick is not a declared edge/);
    expect(release.state.phase).toBe('pending');
    expect(draft.record(release, { state: { phase: 'deploying', sub: 'running' } }, Reason.BuildSucceeded, 'a declared edge').state.phase).toBe('deploying');
    const done = releaseIn('rolled_back');
    const other = new Draft({ service: serviceState(), releases: [done] }, ev({ kind: 'tick', releaseId: done.id }), ctxAt(T0));
    expect(() => other.touch(other.get(done.id) as typeof done, { state: { phase: 'shifting', sub: 'running' } })).toThrow(UndeclaredEdgeError);
  });
});

