import { grpc } from 'google-gax';
import { v1 } from '@google-cloud/secret-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretManagerSource } from '../../shared/adapters/gcp/secret-manager-source.js';
import { LocalSecretManager } from '../../local/secret-manager.js';
import { secretSourceContract } from '../contracts/secret-source-contract.js';
import { MemorySecrets } from '../fakes/memory-secrets.js';

secretSourceContract('MemorySecrets', () => {
  const source = new MemorySecrets();
  return { source, put: (id, value, o) => source.put(id, value, o), breakNext: () => source.failNext(1) };
});

const servers: LocalSecretManager[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function onLocalSecretManager(options: { cacheMs?: number; timeoutMs?: number; clock?: () => number } = {}) {
  const server = new LocalSecretManager('demo-project');
  servers.push(server);
  await server.start();
  const client = new v1.SecretManagerServiceClient({ ...server.server.clientOptions(), projectId: 'demo-project' });
  const source = new SecretManagerSource(client, { project: 'demo-project', cacheMs: 0, timeoutMs: 2_000, ...options });
  return { server, source };
}

secretSourceContract('SecretManagerSource (official client) on a Secret Manager served from its protos', async () => {
  const { server, source } = await onLocalSecretManager();
  return { source, put: (id, value, o) => server.put(id, value, o), breakNext: () => server.server.inject('AccessSecretVersion', { code: grpc.status.UNAVAILABLE }) };
});

describe('SecretManagerSource', () => {
  it('asks for the latest version in Cutover\'s own project, and reuses a read until its cache expires', async () => {
    let now = 1_000;
    const { server, source } = await onLocalSecretManager({ cacheMs: 60_000, clock: () => now });
    server.put('chat-hook', 'https://chat.googleapis.com/v1/spaces/A/messages?key=1');
    await source.read('chat-hook');
    server.put('chat-hook', 'https://chat.googleapis.com/v1/spaces/A/messages?key=2');
    expect(await source.read('chat-hook')).toContain('key=1');
    now += 60_000;
    expect(await source.read('chat-hook')).toContain('key=2');
    expect(server.server.requests('AccessSecretVersion').map((r) => r.name)).toEqual([
      'projects/demo-project/secrets/chat-hook/versions/latest',
      'projects/demo-project/secrets/chat-hook/versions/latest',
    ]);
  });

  it('gives up on a Secret Manager that does not answer within its deadline: unavailable, not a hang', async () => {
    const { server, source } = await onLocalSecretManager({ timeoutMs: 300 });
    server.put('slow', 'https://hooks.slack.com/services/T/B/C');
    server.server.inject('AccessSecretVersion', { delayMs: 2_000 });
    const error = await source.read('slow').catch((e: unknown) => e);
    expect((error as Error).name).toBe('UpstreamUnavailableError');
  });
});
