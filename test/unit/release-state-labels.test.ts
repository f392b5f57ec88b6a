import { describe, expect, it } from 'vitest';
import { holdLabels, isAwaitingApproval, isPaused, rollbackOf, subStateTable, SUB_STATES } from '../../shared/domain/index.js';
import { everyState } from '../support/fixtures.js';

/** What people are shown of a state (the labels beside the phase, the docs table), state by state. */
describe('the statechart as people read it', () => {
  const label = (state: ReturnType<typeof everyState>[number]) => `${state.phase}/${state.sub}${'resumeTo' in state ? `→${state.resumeTo}` : ''}`;

  it('labels what holds a release, and only that', () => {
    const shown = Object.fromEntries(everyState().map((s) => [label(s), holdLabels(s).join(',')]));
    expect(shown).toEqual({
      'pending/waiting': '',
      'pending/queued': 'queued',
      'pending/paused→waiting': 'paused',
      'pending/paused→queued': 'paused,queued',
      'pending/soaking': 'soaking',
      'pending/awaitingApproval': 'awaiting-approval',
      'pending/paused→soaking': 'paused,soaking',
      'pending/paused→awaitingApproval': 'paused,awaiting-approval',
      'deploying/running': '',
      'deploying/paused→running': 'paused',
      'verifying/running': '',
      'verifying/awaitingApproval': 'awaiting-approval',
      'verifying/stranded': 'stranded',
      'verifying/paused→running': 'paused',
      'verifying/paused→awaitingApproval': 'paused,awaiting-approval',
      'shifting/running': '',
      'shifting/awaitingApproval': 'awaiting-approval',
      'shifting/stranded': 'stranded',
      'shifting/paused→running': 'paused',
      'shifting/paused→awaitingApproval': 'paused,awaiting-approval',
      'complete/watching': '',
      'complete/final': '',
      'rolling_back/restoring': '',
      'rolled_back/final': '',
      'failed/final': '',
      'superseded/final': '',
    });
  });

  it('says which states are paused, which wait for approval, and which carry a rollback', () => {
    for (const state of everyState()) {
      expect(isPaused(state), label(state)).toBe(state.sub === 'paused');
      expect(isAwaitingApproval(state), label(state)).toBe(state.sub === 'awaitingApproval');
      expect(rollbackOf(state), label(state)).toEqual('rollback' in state ? state.rollback : null);
    }
  });

  it('the docs table has a header and one row per declared sub-state, with its meaning', () => {
    const lines = subStateTable().split('\n');
    expect(lines.slice(0, 2)).toEqual(['| phase | sub | meaning |', '| --- | --- | --- |']);
    const rows = Object.entries(SUB_STATES).flatMap(([phase, subs]) => Object.entries(subs).map(([sub, meaning]) => `| \`${phase}\` | \`${sub}\` | ${meaning} |`));
    expect(lines.slice(2)).toEqual(rows);
    expect(rows).toContain('| `shifting` | `stranded` | a rollback was called for but nothing served before the candidate, or a barrier hook ran: a person decides (`cutover abort` crosses a barrier, `cutover resume` goes on) |');
    for (const subs of Object.values(SUB_STATES)) for (const meaning of Object.values(subs)) expect(meaning.length).toBeGreaterThan(10);
  });
});
