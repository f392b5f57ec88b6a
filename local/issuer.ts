import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_SECRET_HEADER, carriesSecret, loopbackHost } from './loopback-guard.js';

/**
 * The local stack's token issuer: Google's ID tokens in miniature. It signs RS256 JWTs with its
 * own key and publishes the public key at /certs in the format of Google's
 * https://www.googleapis.com/oauth2/v1/certs ({kid: PEM}), so onCommand verifies local tokens with
 * exactly the code that verifies Google's (only the certificates URL and the issuer differ).
 * POST /token {email, audience} signs in anyone who asks it with the run's secret: it exists for
 * `npm start` on 127.0.0.1 only, where the person at the keyboard is the user. Without a secret
 * (tests that sign tokens in process) it asks none. A browser may call it only from the origins
 * allowed (the local status page's), never from any page.
 */
export interface TokenClaims {
  email: string;
  audience: string;
  /** Seconds from now (negative: already expired). Default one hour. */
  expiresIn?: number;
  emailVerified?: boolean;
  issuer?: string;
  /** The OAuth client that obtained the token (Google sets it when it differs from the audience). */
  authorizedParty?: string;
  /** The Workspace domain of the account (`hd`). */
  hostedDomain?: string;
}

export class LocalIssuer {
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly kid = randomUUID();
  private server: Server | null = null;
  private readonly origins = new Set<string>();
  url = '';

  constructor(private readonly secret: string | null = null) {}

  /** A page origin that may ask for tokens from a browser (the local status page). */
  allowOrigin(origin: string): void {
    this.origins.add(origin);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (!loopbackHost(req)) return void res.writeHead(421).end();
      const origin = req.headers.origin;
      const corsOk = origin !== undefined && this.origins.has(origin);
      if (corsOk) res.setHeader('access-control-allow-origin', origin);
      if (req.method === 'OPTIONS' && path === '/token') {
        if (!corsOk) return void res.writeHead(403).end();
        return void res.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': `content-type, ${LOCAL_SECRET_HEADER}`, 'access-control-max-age': '600', vary: 'origin' }).end();
      }
      if (req.method === 'GET' && path === '/certs') {
        // Public keys: any verifier may read them.
        res.setHeader('access-control-allow-origin', '*');
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
        res.end(JSON.stringify(this.certs()));
        return;
      }
      if (req.method === 'POST' && path === '/token') {
        if ((origin !== undefined && !corsOk) || (this.secret !== null && !carriesSecret(req, this.secret))) {
          return void res.writeHead(403, { 'content-type': 'text/plain' }).end('the local issuer signs only for this run (.cutover/local.env) and its status page\n');
        }
        let body = '';
        req.on('data', (chunk: Buffer) => (body.length < 4096 ? (body += chunk.toString()) : undefined));
        req.on('end', () => {
          try {
            const { email, audience } = JSON.parse(body) as { email?: unknown; audience?: unknown };
            if (typeof email !== 'string' || typeof audience !== 'string' || !email.includes('@')) throw new Error('want {email, audience}');
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ id_token: this.sign({ email, audience }) }));
          } catch (error) {
            res.writeHead(400, { 'content-type': 'text/plain' });
            res.end(`${error instanceof Error ? error.message : String(error)}\n`);
          }
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  get certsUrl(): string {
    return `${this.url}/certs`;
  }

  certs(): Record<string, string> {
    return { [this.kid]: this.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  /** A signed ID token, shaped as Google's (iss, aud, sub, email, email_verified, iat, exp). */
  sign(claims: TokenClaims): string {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = b64({ alg: 'RS256', kid: this.kid, typ: 'JWT' });
    const payload = b64({
      iss: claims.issuer ?? this.url,
      aud: claims.audience,
      sub: `local-${claims.email}`,
      email: claims.email,
      email_verified: claims.emailVerified ?? true,
      ...(claims.authorizedParty ? { azp: claims.authorizedParty } : {}),
      ...(claims.hostedDomain ? { hd: claims.hostedDomain } : {}),
      iat: now,
      exp: now + (claims.expiresIn ?? 3600),
    });
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(this.keys.privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Asks a local issuer for a token (what the CLI does against `npm start`). */
export async function localToken(issuerUrl: string, email: string, audience: string, secret: string | null = null): Promise<string> {
  const res = await fetch(`${issuerUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { [LOCAL_SECRET_HEADER]: secret } : {}) }, body: JSON.stringify({ email, audience }) });
  if (!res.ok) throw new Error(`local issuer refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id_token: string }).id_token;
}
