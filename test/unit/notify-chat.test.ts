import { grpc } from 'google-gax';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { v1 } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerFunctions } from '../../functions/register.js';
import type { EntryDeps } from '../../functions/entry.js';
import { LocalChatReceiver } from '../../local/chat-receiver.js';
import { LocalSecretManager } from '../../local/secret-manager.js';
import { notificationPayload } from '../../shared/adapters/gcp/pubsub-notifier.js';
import { SecretManagerSource } from '../../shared/adapters/gcp/secret-manager-source.js';
import { WebhookSender } from '../../shared/adapters/http/webhook-sender.js';
import type { Notify } from '../../shared/domain/index.js';
import type { ChatDeps } from '../../shared/ports/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serveFunctions } from '../support/function-servers.js';
import { pushRequest } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';
import { build } from '../support/fixtures.js';

/**
 * notifyChat end to end on 127.0.0.1: a push of a real `cutover-events` payload, the service's
 * routes from its config, webhook URLs from a Secret Manager served from the client's protos, and
 * posts to a local receiver that answers as Google Chat and Slack do.
 */
let sys = fakeSystem();
const receiver = new LocalChatReceiver();
const secretManager = new LocalSecretManager('demo-project');
let chat: ChatDeps;
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, chat, clock: () => sys.clock.now, log: silentLogger }));

let served: Awaited<ReturnType<typeof serveFunctions>>;
let client: InstanceType<typeof v1.SecretManagerServiceClient>;
beforeAll(async () => {
  await receiver.start();
  await secretManager.start();
  client = new v1.SecretManagerServiceClient({ ...secretManager.server.clientOptions(), projectId: 'demo-project' });
  served = await serveFunctions(['notifyChat']);
});
afterAll(async () => {
  await served.close();
  await client.close();
  await secretManager.stop();
  await receiver.stop();
});

const PAGE = 'http://127.0.0.1:9/status';
beforeEach(async () => {
  sys = fakeSystem();
  receiver.received.length = 0;
  receiver.attempts = 0;
  secretManager.put('team-chat', receiver.googleChatUrl('AAAA'));
  secretManager.put('team-slack', receiver.slackUrl());
  chat = {
    secrets: new SecretManagerSource(client, { project: 'demo-project', cacheMs: 0, timeoutMs: 1_000 }),
    sender: new WebhookSender({ attempts: 3, timeoutMs: 400, backoffMs: 20, maxBackoffMs: 100 }),
    allowedOrigins: [receiver.origin],
    pageUrl: PAGE,
  };
  await sys.apply({
    notifications: [
      { format: 'google-chat', secret: 'team-chat' },
      { format: 'slack', secret: 'team-slack', events: ['release.rolled_back', 'release.rolling_back'] },
    ],
  });
  // The release the events speak of, in Cutover's state (notifyChat checks it there).
  await sys.send(build('b1', 'SUCCESS'));
});

const rolledBack: Notify = {
  kind: 'notify', type: 'release.rolled_back', releaseId: 'checkout-b1', service: 'checkout', phase: 'rolled_back', reason: 'RolledBack', cause: 'ErrorRateBreached',
  message: 'stable checkout-00001-abc serves 100% again', trafficPercent: 0, at: Date.UTC(2026, 10, 27, 12),
};
const completed: Notify = { ...rolledBack, type: 'release.completed', phase: 'complete', reason: 'Completed', message: 'release complete', trafficPercent: 100, cause: undefined };
const stepReached: Notify = { ...rolledBack, type: 'release.step_reached', phase: 'shifting', reason: 'StepReached', message: 'candidate at 10%', trafficPercent: 10, cause: undefined };

async function push(n: unknown, messageId: string) {
  const data = (n as Notify).kind === 'notify' ? notificationPayload(n as Notify) : n;
  const res = await fetch(served.url('notifyChat'), { method: 'POST', ...pushRequest({ messageId, data }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const kinds = () => receiver.received.map((m) => m.kind).sort();

describe('notifyChat: release events to Google Chat and Slack', () => {
  it('routes by the service config: a rollback to both channels, a completion to Chat only, a step to none', async () => {
    expect((await push(rolledBack, 'm1')).status).toBe(200);
    expect(kinds()).toEqual(['google-chat', 'slack']);
    expect((await push(completed, 'm2')).json.status).toBe('handled');
    expect(kinds()).toEqual(['google-chat', 'google-chat', 'slack']);
    expect(await push(stepReached, 'm3')).toMatchObject({ status: 200, json: { status: 'ignored' } });
    expect(receiver.received).toHaveLength(3);
  });

  it('names the service, the release, the phase, the reason and cause, and links to the release on the page', async () => {
    await push(rolledBack, 'm1');
    const text = receiver.received.find((m) => m.kind === 'google-chat')?.text ?? '';
    expect(text).toContain('*checkout* rolled back');
    expect(text).toContain('`checkout-b1`');
    expect(text).toContain('phase rolled_back');
    expect(text).toContain('RolledBack, cause ErrorRateBreached');
    expect(text).toContain(`<${PAGE}?release=checkout-b1|Open the release>`);
    expect(receiver.received.find((m) => m.kind === 'slack')?.text).toBe(text);
  });

  it('posts once per channel: a redelivered event is not posted again', async () => {
    await push(rolledBack, 'm1');
    const again = await push(rolledBack, 'm1');
    expect(again.status).toBe(200);
    expect(again.json.detail).toEqual([
      { format: 'google-chat', secret: 'team-chat', status: 'already' },
      { format: 'slack', secret: 'team-slack', status: 'already' },
    ]);
    expect(receiver.received).toHaveLength(2);
  });

  it('retries a failing webhook with backoff inside the request: 503, 429, then delivered once', async () => {
    receiver.answerNext({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } });
    expect((await push(completed, 'm1')).json.status).toBe('handled');
    expect(receiver.attempts).toBe(3);
    expect(receiver.received).toHaveLength(1);
  });

  it('a webhook down for longer answers 503 so Pub/Sub redelivers; the redelivery posts only to the channel still owed', async () => {
    receiver.answerNext(...[1, 2, 3].map(() => ({ status: 500, kind: 'slack' as const })));
    const first = await push(rolledBack, 'm1');
    expect(first.status).toBe(503);
    expect(String(first.json.message)).toBe('chat: slack via secret team-slack: the webhook answered 500 (after 3 tries)');
    expect(receiver.received.map((m) => m.kind)).toEqual(['google-chat']);
    const second = await push(rolledBack, 'm1');
    expect(second.status).toBe(200);
    expect(receiver.received.map((m) => m.kind)).toEqual(['google-chat', 'slack']);
  });

  it('gives up on a webhook that does not answer within its deadline: 503, not a hung request', async () => {
    receiver.answerNext({ status: 200, delayMs: 2_000 }, { status: 200, delayMs: 2_000 }, { status: 200, delayMs: 2_000 });
    const res = await push(completed, 'm1');
    expect(res.status).toBe(503);
    expect(String(res.json.message)).toContain('no answer within 400 ms (after 3 tries)');
    expect(receiver.received).toHaveLength(0);
  });

  it('a channel refused for good is stored with its reason and acknowledged, and never quotes the webhook URL', async () => {
    secretManager.put('team-slack', `${receiver.origin}/services/T/B/missing-token`.replace('/services/T/B/missing-token', '/nowhere/T/B/c'));
    receiver.answerNext({ status: 404 });
    const res = await push(rolledBack, 'm1');
    expect(res).toMatchObject({ status: 200, json: { status: 'rejected', reason: 'ChatRefused' } });
    const [stored] = await sys.store.listRejected(10);
    expect(stored?.source).toBe('notifyChat');
    expect(stored?.message).toContain('slack via secret team-slack: not a slack incoming webhook path');
    expect(stored?.message).toContain('google-chat via secret team-chat: the webhook answered 404');
    expect(stored?.message).not.toContain('local-token');
    expect(stored?.message).not.toContain('nowhere');
    // Refused for good: a redelivery does not post again.
    expect((await push(rolledBack, 'm1')).json.status).toBe('handled');
    expect(receiver.attempts).toBe(1);
  });

  it('refuses webhook URLs that aim elsewhere: the metadata server, plain http, a redirect, a missing or locked secret', async () => {
    const cases: [string, string, RegExp][] = [
      ['metadata', 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token', /not an allowed webhook origin/],
      ['plain', 'https://chat.googleapis.com/v1/spaces/A/messages?key=k', /not an allowed webhook origin/],
      ['userinfo', `http://user:pw@${receiver.origin.slice('http://'.length)}/v1/spaces/A/messages`, /no user or password/],
    ];
    for (const [id, url] of cases) secretManager.put(`hook-${id}`, url);
    secretManager.put('hook-locked', receiver.googleChatUrl(), { readable: false });
    await sys.apply({ notifications: [...cases.map(([id]) => ({ format: 'google-chat' as const, secret: `hook-${id}` })), { format: 'google-chat', secret: 'hook-absent' }, { format: 'google-chat', secret: 'hook-locked' }] });
    const res = await push(completed, 'm1');
    expect(res.json.status).toBe('rejected');
    const message = String(res.json.message);
    for (const [id, , why] of cases) expect(message).toMatch(new RegExp(`secret hook-${id}: [^;]*${why.source}`));
    expect(message).toContain('secret hook-absent: secret unreadable (NotFound)');
    expect(message).toContain('secret hook-locked: secret unreadable (PermissionDenied)');
    expect(receiver.attempts).toBe(0);
  });

  it('does not follow a redirect', async () => {
    receiver.answerNext({ status: 302, headers: { location: 'http://169.254.169.254/' } });
    const res = await push(completed, 'm1');
    expect(res.json).toMatchObject({ status: 'rejected', reason: 'ChatRefused' });
    expect(String(res.json.message)).toContain('redirects are not followed');
  });

  it('answers 503 while Secret Manager is unavailable, and delivers on the redelivery', async () => {
    secretManager.server.inject('AccessSecretVersion', { code: grpc.status.UNAVAILABLE }, 1);
    const res = await push(completed, 'm1');
    expect(res.status).toBe(503);
    expect((await push(completed, 'm1')).json.status).toBe('handled');
    expect(receiver.received).toHaveLength(1);
  });

  it('stores a malformed event with its reason; acks an event of an unknown service or one no channel takes', async () => {
    expect((await push({ schemaVersion: 1, type: 'release.exploded', service: 'checkout' }, 'm1')).json).toMatchObject({ status: 'rejected', reason: 'MalformedReleaseEvent' });
    expect((await push({ ...rolledBack, service: 'ghost' }, 'm2')).json.status).toBe('ignored');
    expect((await push({ ...rolledBack, service: 'checkout/../x' }, 'm2b')).json).toMatchObject({ status: 'rejected', reason: 'MalformedReleaseEvent' });
    await sys.apply({ notifications: [] });
    expect((await push(rolledBack, 'm3')).json.status).toBe('ignored');
    expect(receiver.attempts).toBe(0);
  });

  it('tells nobody of a release Cutover does not hold: a forged event is stored, not posted', async () => {
    const forged = await push({ ...completed, releaseId: 'checkout-forged' }, 'm1');
    expect(forged.json).toMatchObject({ status: 'rejected', reason: 'UnknownRelease' });
    await sys.apply({ name: 'other', notifications: [{ format: 'google-chat', secret: 'team-chat' }] });
    expect((await push({ ...completed, service: 'other' }, 'm2')).json).toMatchObject({ status: 'rejected', reason: 'UnknownRelease' });
    expect(receiver.attempts).toBe(0);
  });
});

describe('notifyChat: told-only hooks (after-complete, on-rollback)', () => {
  const calls: { path: string; authorization: string | undefined; body: Record<string, unknown> }[] = [];
  let answers: number[] = [];
  let hookServer: Server;
  let hookBase = '';
  beforeAll(async () => {
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(answers.shift() ?? 204).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => hookServer.close(r)));
  beforeEach(async () => {
    calls.length = 0;
    answers = [];
    chat = { ...chat, hooks: new WebhookSender({ attempts: 1, headers: (url) => Promise.resolve({ authorization: `Bearer token-for-${url.origin}` }) }) };
    await sys.apply({ notifications: [], hooks: [{ name: 'tell-qa', at: 'on-rollback', url: `${hookBase}/rolled-back` }, { name: 'close-ticket', at: 'after-complete', url: `${hookBase}/done`, timeout: '2s' }] });
  });

  it('calls the hook of the event\'s point with the release event and a Google ID token for its origin, once per message', async () => {
    expect(await push(rolledBack, 'h1')).toMatchObject({ status: 200, json: { status: 'handled', detail: [{ hook: 'tell-qa', status: 'delivered' }] } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: '/rolled-back', authorization: `Bearer token-for-${hookBase}`, body: { hook: 'tell-qa', at: 'on-rollback', event: { type: 'release.rolled_back', releaseId: 'checkout-b1', service: 'checkout' } } });
    expect(await push(rolledBack, 'h1')).toMatchObject({ status: 200, json: { detail: [{ hook: 'tell-qa', status: 'already' }] } });
    expect(calls).toHaveLength(1);
    await push(completed, 'h2');
    expect(calls.map((c) => c.path)).toEqual(['/rolled-back', '/done']);
    expect(await push(stepReached, 'h3')).toMatchObject({ json: { status: 'ignored' } });
  });

  it('a release in several regions calls its hooks once, as the rollout: its regions\' releases only tell chat', async () => {
    await sys.apply({ notifications: [], rollout: { waves: [{ regions: ['europe-west1'] }] }, hooks: [{ name: 'close-ticket', at: 'after-complete', url: `${hookBase}/done` }] });
    await sys.send(build('b7', 'SUCCESS'));
    const region: Notify = { ...completed, releaseId: 'checkout-b7@europe-west1' };
    expect(await push(region, 'h6')).toMatchObject({ status: 200, json: { status: 'ignored' } });
    expect(calls).toHaveLength(0);
    await push({ ...completed, releaseId: 'checkout-b7' }, 'h7');
    expect(calls.map((c) => c.body)).toEqual([expect.objectContaining({ hook: 'close-ticket', event: expect.objectContaining({ releaseId: 'checkout-b7' }) })]);
  });

  it('a hook that fails for a while answers 503 (Pub/Sub redelivers); one that refuses is recorded with its reason and acknowledged', async () => {
    answers = [503];
    expect((await push(rolledBack, 'h4')).status).toBe(503);
    expect((await push(rolledBack, 'h4')).json).toMatchObject({ status: 'handled', detail: [{ hook: 'tell-qa', status: 'delivered' }] });
    answers = [404];
    expect(await push(completed, 'h5')).toMatchObject({ status: 200, json: { status: 'rejected', reason: 'ChatRefused' } });
    expect(await sys.store.listRejected(10)).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'ChatRefused', message: expect.stringContaining('hook close-ticket: the webhook answered 404') })]));
    expect(await push(completed, 'h5')).toMatchObject({ json: { detail: [{ hook: 'close-ticket', status: 'already' }] } });
    expect(calls).toHaveLength(3);
  });
});
