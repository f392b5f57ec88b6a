import type { Phase } from './model.js';
import { SUB_STATES } from './release-state.js';

/**
 * The legal phase edges, in one place. docs/state.md's diagram is generated from this table
 * (`npm run docs:state`) and a test fails when the two differ; the draft refuses to move a
 * release along an edge that is not listed here (UndeclaredEdgeError), and the property test
 * drives decide() through every listed one. `new` is where a release's first history
 * entry starts. An entry that keeps the phase (a hold, a retry, a note) is not an edge.
 */
export const NEW = 'new' as const;
export type EdgeSource = Phase | typeof NEW;

export const PHASE_EDGES: Readonly<Record<EdgeSource, readonly { to: Phase; on: string }[]>> = {
  new: [
    { to: 'pending', on: 'first build status' },
    { to: 'deploying', on: 'SUCCESS is the first status seen' },
    { to: 'failed', on: 'build failed, or succeeded without an image' },
  ],
  pending: [
    { to: 'deploying', on: 'build SUCCESS, slot free (or dequeued)' },
    { to: 'failed', on: 'build failed, or succeeded without an image' },
    { to: 'superseded', on: 'a newer build replaced it in the queue' },
    { to: 'rolled_back', on: 'abort before deploying' },
  ],
  deploying: [
    { to: 'verifying', on: 'candidate revision ready at 0%' },
    { to: 'failed', on: 'deploy failed' },
    { to: 'rolling_back', on: 'abort, superseded' },
  ],
  verifying: [
    { to: 'shifting', on: 'checks pass (or promote)' },
    { to: 'rolling_back', on: 'checks fail, incident, abort, superseded' },
  ],
  shifting: [
    { to: 'complete', on: '100% observed' },
    { to: 'rolling_back', on: 'breach, incident, abort, superseded, deadline' },
  ],
  complete: [{ to: 'rolling_back', on: 'incident or rollback inside the watch window' }],
  rolling_back: [
    { to: 'rolled_back', on: 'stable serves 100% again' },
    { to: 'superseded', on: 'stable serves 100% again (cause: a newer build)' },
  ],
  rolled_back: [],
  failed: [],
  superseded: [],
};

export function isLegalEdge(from: Phase | null, to: Phase): boolean {
  if (from === to) return true;
  return PHASE_EDGES[from ?? NEW].some((edge) => edge.to === to);
}

/** The diagram docs/state.md shows, as Mermaid: generated, so the document cannot drift from the code. */
export function phaseDiagram(): string {
  const lines = ['stateDiagram-v2', `  [*] --> pending: first build status`];
  for (const [from, edges] of Object.entries(PHASE_EDGES) as [EdgeSource, readonly { to: Phase; on: string }[]][]) {
    for (const edge of edges) {
      if (from === NEW && edge.to === 'pending') continue;
      lines.push(`  ${from === NEW ? '[*]' : from} --> ${edge.to}: ${edge.on}`);
    }
  }
  for (const terminal of ['complete', 'rolled_back', 'failed', 'superseded']) lines.push(`  ${terminal} --> [*]`);
  // Each phase with more than one sub-state is drawn as a composite state holding them.
  for (const [phase, subs] of Object.entries(SUB_STATES)) {
    const names = Object.keys(subs);
    if (names.length < 2) continue;
    lines.push(`  state ${phase} {`, ...names.map((sub) => `    ${phase}_${sub}: ${sub}`), '  }');
  }
  return lines.join('\n');
}
