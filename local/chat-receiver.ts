import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local chat: Google Chat's and Slack's incoming webhooks on 127.0.0.1, so notifyChat posts to
 * something that answers as they do. Google Chat: POST /v1/spaces/{space}/messages?key=…&token=…
 * answers the created message; Slack: POST /services/T/B/X answers "ok". Both refuse what is not
 * a JSON body with a text (400) and unknown paths (404). `answerNext` scripts failures and delays.
 * Used by `npm start` (messages are printed) and by the tests.
 */
export interface ReceivedChatMessage {
  kind: 'google-chat' | 'slack';
  path: string;
  text: string;
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  delayMs?: number;
  headers?: Record<string, string>;
  kind?: 'google-chat' | 'slack';
}

export class LocalChatReceiver {
  private server: Server | null = null;
  readonly received: ReceivedChatMessage[] = [];
  private readonly script: ScriptedAnswer[] = [];
  attempts = 0;
  origin = '';
  /** While set, every request gets this answer (an outage), after the scripted ones. */
  outage: ScriptedAnswer | null = null;

  constructor(private readonly onMessage: (m: ReceivedChatMessage) => void = () => undefined) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.origin;
  }

  googleChatUrl(space = 'local'): string {
    return `${this.origin}/v1/spaces/${space}/messages?key=local-key&token=local-token`;
  }

  slackUrl(): string {
    return `${this.origin}/services/T000LOCAL/B000LOCAL/localsecret`;
  }

  /** The next answers, in order (then back to normal): a status, after an optional delay; `kind` limits one to that webhook. */
  answerNext(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.attempts += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const kind = /^\/v1\/spaces\/[^/]+\/messages$/.test(path) ? 'google-chat' : /^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(path) ? 'slack' : null;
    const index = this.script.findIndex((a) => a.kind === undefined || a.kind === kind);
    const [scripted = this.outage ?? undefined] = index >= 0 ? this.script.splice(index, 1) : [];
    if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    if (res.destroyed) return;
    if (scripted && scripted.status !== 200) {
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers }).end(JSON.stringify({ error: { code: scripted.status } }));
      return;
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    if (!kind) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such webhook');
    let text: unknown;
    try {
      text = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown }).text;
    } catch {
      text = undefined;
    }
    if (typeof text !== 'string' || text.length === 0) return void res.writeHead(400, { 'content-type': 'text/plain' }).end(kind === 'slack' ? 'no_text' : 'Invalid JSON payload');
    const message = { kind, path, text, at: Date.now() } as const;
    this.received.push(message);
    this.onMessage(message);
    if (kind === 'slack') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: `spaces/local/messages/${this.received.length}`, text }));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
