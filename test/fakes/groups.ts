import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StaticGroups, transitive, type Directory } from '../../local/static-groups.js';

export type { Directory };
/** The in-memory GroupDirectory is the local stack's: it passes the same contract as CloudIdentityGroups. */
export { StaticGroups as FakeGroups };

/**
 * The two Cloud Identity Groups API v1 methods CloudIdentityGroups calls, over HTTP on 127.0.0.1,
 * with the API's answers: groups:lookup → {name} or 404; memberships:checkTransitiveMembership →
 * {hasMembership}, 400 without a member_key_id query; `failNext` answers 503.
 */
export class FakeCloudIdentityApi {
  private server: Server | null = null;
  readonly requests: string[] = [];
  failNext = 0;
  url = '';
  constructor(readonly directory: Directory = {}) {}

  async start(): Promise<string> {
    const ids = () => Object.keys(this.directory);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(url.pathname + url.search);
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (this.failNext > 0) return (this.failNext -= 1), send(503, { error: { code: 503, status: 'UNAVAILABLE' } });
      if (url.pathname === '/v1/groups:lookup') {
        const index = ids().indexOf(url.searchParams.get('groupKey.id') ?? '');
        return index < 0 ? send(404, { error: { code: 404, status: 'NOT_FOUND' } }) : send(200, { name: `groups/g${index}` });
      }
      const check = /^\/v1\/groups\/g(\d+)\/memberships:checkTransitiveMembership$/.exec(url.pathname);
      const member = /^member_key_id == '([^']+)'$/.exec(url.searchParams.get('query') ?? '')?.[1];
      if (check && member) {
        const group = ids()[Number(check[1])];
        return group ? send(200, { hasMembership: transitive(this.directory, group, member) }) : send(404, {});
      }
      send(400, { error: { code: 400, status: 'INVALID_ARGUMENT' } });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
