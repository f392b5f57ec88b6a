import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * What keeps other software on this machine (and any web page a browser here opens) away from
 * the local stack's doors. A page on another site can send simple POSTs to 127.0.0.1 (no
 * preflight for text/plain) and can rebind its own host name to 127.0.0.1 (DNS rebinding): so a
 * request is served only with a loopback Host, and where it would act — the push endpoints, the
 * token issuer — only with this run's secret, which is written to .cutover/local.env and never
 * leaves the machine.
 */
export const LOCAL_SECRET_HEADER = 'x-cutover-local';
export const LOCAL_SECRET_PARAM = 'k';

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

export function loopbackHost(req: IncomingMessage): boolean {
  return LOOPBACK_HOST.test(req.headers.host ?? '');
}

/** The secret as the request carries it: the header, or the `k` query parameter (Pub/Sub pushes to a URL, it sets no header). */
export function carriesSecret(req: IncomingMessage, secret: string): boolean {
  const header = req.headers[LOCAL_SECRET_HEADER];
  if (header === secret) return true;
  return new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get(LOCAL_SECRET_PARAM) === secret;
}

/** Puts the guard in front of a server's own request handling: loopback Host always, the secret when asked. */
export function guard(server: Server, secret: string | null): Server {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!loopbackHost(req)) return void res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected: this local service answers to 127.0.0.1 only\n');
    if (secret !== null && !carriesSecret(req, secret)) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('this local endpoint needs the run\'s secret (.cutover/local.env)\n');
    for (const handle of handlers) handle(req, res);
  });
  return server;
}
