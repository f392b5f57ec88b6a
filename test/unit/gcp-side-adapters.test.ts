import { CloudTasksClient } from '@google-cloud/tasks';
import { grpc } from 'google-gax';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, beforeEach } from 'vitest';
import { CloudTasksScheduler } from '../../shared/adapters/gcp/cloud-tasks-scheduler.js';
import { HttpVerificationChecker } from '../../shared/adapters/http/http-verifier.js';
import type { RunVerification } from '../../shared/domain/index.js';
import { FakeCloudTasks } from '../fakes/grpc/fake-cloud-tasks.js';

const QUEUE = 'projects/demo/locations/europe-west1/queues/cutover-timers';

describe('CloudTasksScheduler against a fake Cloud Tasks API', () => {
  const fake = new FakeCloudTasks();
  let client: CloudTasksClient;
  let scheduler: CloudTasksScheduler;
  beforeAll(async () => {
    await fake.start();
    client = new CloudTasksClient({ ...fake.server.clientOptions(), projectId: 'demo' });
    scheduler = new CloudTasksScheduler(client, { queue: QUEUE, url: 'https://europe-west1-demo.cloudfunctions.net/onTimer', serviceAccountEmail: 'cutover-timer@demo.iam.gserviceaccount.com' });
  });
  afterAll(async () => {
    await client.close();
    await fake.server.stop();
  });
  beforeEach(() => {
    fake.server.calls.length = 0;
  });

  it('creates one HTTP task at the due time with an OIDC token, named after the release and the time', async () => {
    const at = Date.UTC(2026, 10, 27, 12, 0, 30, 500);
    await scheduler.scheduleCheck('checkout-b/1', 'checkout', at);
    const [request] = fake.server.requests('CreateTask') as { parent: string; task: { name: string; scheduleTime: unknown; httpRequest: { body: Uint8Array } } }[];
    expect(request?.parent).toBe(QUEUE);
    expect(request?.task.name).toBe(`${QUEUE}/tasks/checkout-b_1-${at}`);
    expect(request?.task.scheduleTime).toEqual({ seconds: String(Math.ceil(at / 1000)) });
    expect(request?.task.httpRequest).toMatchObject({
      url: 'https://europe-west1-demo.cloudfunctions.net/onTimer',
      httpMethod: 'POST',
      oidcToken: { serviceAccountEmail: 'cutover-timer@demo.iam.gserviceaccount.com', audience: 'https://europe-west1-demo.cloudfunctions.net/onTimer' },
    });
    expect(JSON.parse(Buffer.from(request?.task.httpRequest.body ?? []).toString())).toEqual({ releaseId: 'checkout-b/1', service: 'checkout', at });
  });

  it('does not double-schedule when the same timer is asked for again', async () => {
    const at = Date.UTC(2026, 10, 27, 13, 0, 0);
    await scheduler.scheduleCheck('checkout-b2', 'checkout', at);
    await expect(scheduler.scheduleCheck('checkout-b2', 'checkout', at)).resolves.toBeUndefined();
    expect([...fake.tasks.keys()].filter((k) => k.includes('checkout-b2'))).toHaveLength(1);
  });

  it('lets other errors surface to the runtime (which logs them; the minute tick covers the timer)', async () => {
    fake.server.inject('CreateTask', { code: grpc.status.PERMISSION_DENIED, message: 'cloudtasks.tasks.create denied' });
    await expect(scheduler.scheduleCheck('checkout-b3', 'checkout', Date.now())).rejects.toThrow(/denied/);
  });
});

describe('HttpVerificationChecker', () => {
  let server: Server;
  let url = '';
  const seen: (string | undefined)[] = [];
  const hookCalls: { path: string; authorization: string | undefined; body: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
      if (req.url?.startsWith('/hooks/')) {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          hookCalls.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
          if (req.url === '/hooks/slow') return void setTimeout(() => res.end('late'), 500);
          res.writeHead(req.url === '/hooks/smoke-fails' ? 500 : req.url === '/hooks/moved' ? 302 : 204, req.url === '/hooks/moved' ? { location: 'https://elsewhere.example/' } : {}).end();
        });
        return;
      }
      const authorized = req.headers.authorization === 'Bearer token-for-' + url;
      res.writeHead(req.url === '/private' && !authorized ? 401 : req.url === '/missing' ? 404 : 200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const effect = (checks: RunVerification['checks'], isPrivate = false): RunVerification => ({
    kind: 'runVerification', effectId: 'v', releaseId: 'r', service: 's', attempt: 1,
    router: { kind: 'cloud-run', project: 'p', region: 'r', service: 's' }, candidateUrl: `${url}/base/`, checks, private: isPrivate,
  });

  it('checks each path with its expected status and timeout, as measurements', async () => {
    const results = await new HttpVerificationChecker().run(effect([
      { path: '/ok', expectStatus: 200, timeout: 1_000 },
      { path: '/missing', expectStatus: 200, timeout: 1_000 },
      { path: '/slow', expectStatus: 200, timeout: 100 },
    ]));
    expect(results.map((r) => [r.path, r.status, r.ok])).toEqual([['/ok', 200, true], ['/missing', 404, false], ['/slow', null, false]]);
    expect(results[2]?.error).toMatch(/Timeout|abort/i);
  });

  it('sends a Google ID token for the service origin when the service is private', async () => {
    const checker = new HttpVerificationChecker((audience) => Promise.resolve(`token-for-${audience}`));
    const [result] = await checker.run(effect([{ path: '/private', expectStatus: 200, timeout: 1_000 }], true));
    expect(result).toMatchObject({ status: 200, ok: true });
  });

  it('never sends a check (nor its token) off the candidate\'s origin, whatever the stored path says', async () => {
    let called = false;
    const checker = new HttpVerificationChecker((audience) => ((called = true), Promise.resolve(`token-for-${audience}`)));
    const results = await checker.run(effect([{ path: '//127.0.0.1:9/x', expectStatus: 200, timeout: 1_000 }, { path: '/\\127.0.0.1:9/x', expectStatus: 200, timeout: 1_000 }], true));
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(results[0]?.error).toContain("leaves the candidate's origin");
    expect(called).toBe(false);
  });

  it('calls the after-deploy hooks beside the checks, with a Google ID token for the hook\'s origin; only a 2xx in time passes', async () => {
    hookCalls.length = 0;
    const checker = new HttpVerificationChecker((audience) => Promise.resolve(`token-for-${audience}`));
    const hook = (name: string, timeout = 1_000) => ({ name, url: `${url}/hooks/${name}`, timeout });
    const results = await checker.run({ ...effect([{ path: '/ok', expectStatus: 200, timeout: 1_000 }]), headers: { 'x-cutover-cohort': 'canary' }, hooks: [hook('smoke'), hook('smoke-fails'), hook('slow', 100), hook('moved')] });
    expect(results.map((r) => [r.path, r.status, r.ok])).toEqual([['/ok', 200, true], ['hook:smoke', 204, true], ['hook:smoke-fails', 500, false], ['hook:slow', null, false], ['hook:moved', 302, false]]);
    expect(results[2]?.error).toBe('hook smoke-fails answered 500');
    const smoke = hookCalls.find((c) => c.path === '/hooks/smoke');
    expect(smoke?.authorization).toBe(`Bearer token-for-${url}`);
    expect(smoke?.body).toEqual({ hook: 'smoke', at: 'after-deploy', releaseId: 'r', service: 's', candidateUrl: `${url}/base/`, headers: { 'x-cutover-cohort': 'canary' } });
  });

  it('fails the check, not the effect, when no token can be had', async () => {
    const [result] = await new HttpVerificationChecker(null).run(effect([{ path: '/private', expectStatus: 200, timeout: 1_000 }], true));
    expect(result).toMatchObject({ ok: false, status: null, error: expect.stringContaining('ID token') });
  });
});
