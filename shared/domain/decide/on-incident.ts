import { inWatch } from './reconcile.js';
import type { EventOf } from '../events.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { beginRollback } from './lifecycle.js';

/**
 * A Cloud Monitoring incident for the service. Open: roll back the release that can be at fault
 * (the active one while verifying or shifting, else the last completed one inside its watch
 * window). Closed: recorded, changes nothing.
 */
export function onIncident(d: Draft, body: EventOf<'incident'>): void {
  d.patchService({ lastIncident: { incidentId: body.incidentId, state: body.state, policyName: body.policyName, summary: body.summary, at: d.now } });
  const label = `incident ${body.incidentId}${body.policyName ? ` (${body.policyName})` : ''}`;
  const active = d.get(d.service.activeReleaseId);

  if (body.state === 'closed') {
    if (active) d.record(active, {}, Reason.IncidentClosed, `${label} closed; no change`);
    return d.settle({ status: 'applied', reason: Reason.IncidentClosed, message: `${label} closed; recorded` });
  }
  if (active && (active.state.phase === 'verifying' || active.state.phase === 'shifting')) {
    return beginRollback(d, active, Reason.IncidentOpened, `${label} opened during ${active.state.phase}`, { summary: body.summary }, body.startedAt ?? null);
  }
  const completed = d.get(d.service.lastCompletedReleaseId);
  if (!active && completed && inWatch(completed, d.service, d.now)) {
    return beginRollback(d, completed, Reason.IncidentOpened, `${label} opened inside the watch window`, { summary: body.summary }, body.startedAt ?? null);
  }
  if (active?.state.phase === 'rolling_back') d.record(active, {}, Reason.IncidentOpened, `${label} opened while ${active.id} is already rolling back; no change`);
  else if (active) d.record(active, {}, Reason.IncidentOpened, `${label} opened while ${active.state.phase}; candidate serves no traffic, no change`);
  d.settle({ status: 'applied', reason: Reason.IncidentOpened, message: `${label} recorded; no release to roll back` });
}
