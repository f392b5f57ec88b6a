import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rollbackOf, type Phase, type Release } from '../../shared/domain/index.js';
import type { ReleaseStore } from '../../shared/ports/index.js';

/** Registered functions served on 127.0.0.1 through the framework, one server each; close() stops them all. */
export async function serveFunctions(names: string[]): Promise<{ url: (name: string) => string; close: () => Promise<void> }> {
  const servers: Record<string, { server: Server; url: string }> = {};
  for (const name of names) {
    const server = getTestServer(name);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers[name] = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  }
  return {
    url: (name) => servers[name]?.url ?? '',
    close: async () => {
      await Promise.all(Object.values(servers).map(({ server }) => new Promise((r) => server.close(r))));
    },
  };
}

/** Polls the store until the release reaches one of `phases` (wait for the state you assert). */
export async function waitForPhase(store: ReleaseStore, id: string, phases: Phase[], timeoutMs = 45_000): Promise<Release> {
  const until = Date.now() + timeoutMs;
  let release: Release | null = null;
  while (Date.now() < until) {
    release = await store.getRelease(id);
    if (release && phases.includes(release.state.phase)) return release;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The last decision says why it is where it is: what a failing run needs to be read.
  const trail = release ? (await store.history(id, 30)).map((h) => `${h.reason}${h.actor ? ` by ${h.actor}` : ''}: ${h.message.slice(0, 160)}`).join(' | ') : '';
  const last = release ? `; cause ${rollbackOf(release.state)?.cause ?? '-'}; history ${trail}` : '';
  throw new Error(`release ${id} is ${release?.state.phase ?? 'missing'}, not ${phases.join('/')}${last}`);
}
