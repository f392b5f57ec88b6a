import { Logging } from '@google-cloud/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoggingSinkFilter } from '../../shared/adapters/gcp/logging-sink-filter.js';
import { candidateLogFilter, revisionsInFilter } from '../../shared/domain/index.js';
import { FakeLogging } from '../fakes/grpc/fake-logging.js';

/** The sink filter follows releases: official @google-cloud/logging client against a ConfigServiceV2 fake from its protos. */
describe('LoggingSinkFilter', () => {
  const api = new FakeLogging();
  let logging: Logging;
  const SINK = 'projects/demo-project/sinks/cutover-candidate-requests';
  beforeAll(async () => {
    await api.start();
    logging = new Logging({ projectId: 'demo-project', ...api.server.clientOptions() });
  });
  afterAll(async () => {
    await api.server.stop();
  });
  const reset = () => {
    api.sinks.set(SINK, { name: 'cutover-candidate-requests', destination: 'pubsub.googleapis.com/projects/demo-project/topics/cutover-request-logs', filter: candidateLogFilter('demo-project', []), writerIdentity: 'serviceAccount:x@y' });
    api.updates.length = 0;
  };

  it('renders a stable filter for the candidates, and reads them back', () => {
    const filter = candidateLogFilter('p', ['checkout-b', 'checkout-a', 'checkout-a']);
    expect(filter).toBe('resource.type="cloud_run_revision" AND log_name="projects/p/logs/run.googleapis.com%2Frequests" AND resource.labels.revision_name=("checkout-a" OR "checkout-b")');
    expect(revisionsInFilter(filter)).toEqual(['checkout-a', 'checkout-b']);
    expect(revisionsInFilter(candidateLogFilter('p', []))).toEqual([]);
    expect(candidateLogFilter('p', ['a'], 0.1)).toMatch(/AND sample\(insertId, 0\.1\)$/);
  });

  it('adds a candidate when it is first measured, once; the tick sets the exact set and prunes what ended', async () => {
    reset();
    const follower = new LoggingSinkFilter(logging, 'cutover-candidate-requests', 'demo-project');
    await follower.ensure('checkout-00042-new');
    await follower.ensure('checkout-00042-new');
    expect(api.updates).toHaveLength(1);
    expect(revisionsInFilter(api.updates[0]?.filter ?? '')).toEqual(['checkout-00042-new']);
    await follower.ensure('payments-00007-new');
    expect(revisionsInFilter(api.sinks.get(SINK)?.filter ?? '')).toEqual(['checkout-00042-new', 'payments-00007-new']);
    expect(await follower.sync(['payments-00007-new'])).toBe(true);
    expect(revisionsInFilter(api.sinks.get(SINK)?.filter ?? '')).toEqual(['payments-00007-new']);
    expect(await follower.sync(['payments-00007-new'])).toBe(false);
    expect(await follower.sync([])).toBe(true);
    expect(api.sinks.get(SINK)?.filter).toContain('cutover-no-candidate');
    expect(api.sinks.get(SINK)?.destination).toContain('cutover-request-logs');
  });
});
