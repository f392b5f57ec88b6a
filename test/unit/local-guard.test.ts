import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalIssuer, localToken } from '../../local/issuer.js';
import { guard } from '../../local/loopback-guard.js';

/**
 * `npm start` on a workstation: any web page the browser opens can send simple POSTs to
 * 127.0.0.1, and can rebind its own name to 127.0.0.1. The push endpoints and the token issuer
 * answer neither: only requests with a loopback Host and this run's secret act.
 */
const SECRET = 'run-secret-0123456789abcdef';
let pushServer: Server;
let handled = 0;
let pushUrl = '';
const issuer = new LocalIssuer(SECRET);

beforeAll(async () => {
  pushServer = guard(createServer((_req, res) => ((handled += 1), res.end('handled'))), SECRET);
  await new Promise<void>((r) => pushServer.listen(0, '127.0.0.1', r));
  pushUrl = `http://127.0.0.1:${(pushServer.address() as AddressInfo).port}/`;
  await issuer.start();
  issuer.allowOrigin('http://127.0.0.1:4000');
});
afterAll(async () => {
  pushServer.closeAllConnections();
  await new Promise((r) => pushServer.close(r));
  await issuer.stop();
});

/** A raw request, so the Host header can be what a rebinding page's browser would send. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

describe('the local stack against drive-by requests', () => {
  it('a page\'s text/plain POST to a push endpoint is refused and never reaches the function', async () => {
    const before = handled;
    const res = await raw(pushUrl, { headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: '{"message":{"data":"e30="}}' });
    expect(res.status).toBe(403);
    expect(handled).toBe(before);
  });

  it('a rebound host name is refused even with the secret; the run itself gets through', async () => {
    const before = handled;
    expect((await raw(`${pushUrl}?k=${SECRET}`, { headers: { host: 'evil.example' } })).status).toBe(421);
    expect(handled).toBe(before);
    expect((await raw(`${pushUrl}?k=${SECRET}`, {})).status).toBe(200);
    expect(handled).toBe(before + 1);
  });

  it('the issuer mints nothing for a request without the secret, nor for a page of another origin', async () => {
    const body = JSON.stringify({ email: 'dev@cutover.local', audience: 'http://127.0.0.1:1/' });
    expect((await raw(`${issuer.url}/token`, { body })).status).toBe(403);
    const evil = await raw(`${issuer.url}/token`, { headers: { origin: 'https://evil.example', 'x-cutover-local': SECRET }, body });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw(`${issuer.url}/token`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(preflight.status).toBe(403);
    expect((await raw(`${issuer.url}/token`, { headers: { host: 'evil.example', 'x-cutover-local': SECRET }, body })).status).toBe(421);
    // The status page's own origin, and the CLI with the secret from .cutover/local.env.
    const page = await raw(`${issuer.url}/token`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:4000' } });
    expect(page.headers['access-control-allow-origin']).toBe('http://127.0.0.1:4000');
    expect(await localToken(issuer.url, 'dev@cutover.local', 'http://127.0.0.1:1/', SECRET)).toMatch(/^ey/);
  });
});
