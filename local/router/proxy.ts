import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { VersionCounters } from './counters.js';
import { WeightedSplit } from './split.js';

/**
 * The local traffic router: a weighted HTTP reverse proxy in front of a stable and a candidate
 * version, built on undici's connection pools (keep-alive, back-pressure, streaming bodies).
 * Weights change live: in-flight requests finish on the version that took them. Counters per
 * version feed the local health source; every request can be logged with the version that served it.
 */
export interface Backend {
  revision: string;
  url: string;
}

export interface RouterOptions {
  /** Header or cookie whose value keeps a client on one version; none = pure weighted split. */
  stickyHeader?: string;
  stickyCookie?: string;
  accessLog?: (line: AccessLogLine) => void;
  clock?: () => number;
  /** A request this matches goes to the cohort backend, whatever the weights (a load balancer's header rule). */
  cohortMatch?: (req: IncomingMessage) => boolean;
}

/** One line per request: which version served it, under which split. */
export interface AccessLogLine {
  at: number;
  method: string;
  path: string;
  status: number;
  ms: number;
  revision: string;
  candidatePercent: number;
}

/** What a request the client abandoned is logged as (nginx's and Google's front ends' "client closed request"). */
export const CLIENT_CLOSED_REQUEST = 499;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class LocalRouter {
  private server: Server | null = null;
  private readonly pools = new Map<string, Pool>();
  private readonly counters = new Map<string, VersionCounters>();
  private readonly split = new WeightedSplit();
  stable: Backend | null = null;
  candidate: Backend | null = null;
  /** The baseline twin: a fresh process of the stable's image with the candidate's share. */
  baseline: Backend | null = null;
  /** Where requests the cohort rule matches go; null when no such rule is in force. */
  cohort: Backend | null = null;
  weightChangedAt = 0;

  constructor(private readonly options: RouterOptions = {}) {}

  private now = () => (this.options.clock ?? Date.now)();

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.forward(req, res));
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets the backends and their shares at once; a request sees either the old or the new split. */
  route(stable: Backend, candidate: Backend | null, candidatePercent: number, baseline: Backend | null = null, baselinePercent = 0): void {
    this.stable = stable;
    this.candidate = candidate;
    this.baseline = candidate && baseline && baselinePercent > 0 ? baseline : null;
    this.split.set(candidate ? candidatePercent : 0, this.baseline ? baselinePercent : 0);
    this.weightChangedAt = this.now();
  }

  get baselinePercent(): number {
    return this.baseline ? this.split.baselinePercent : 0;
  }

  get candidatePercent(): number {
    return this.candidate ? this.split.candidatePercent : 0;
  }

  countersFor(revision: string): VersionCounters {
    let counters = this.counters.get(revision);
    if (!counters) {
      counters = new VersionCounters();
      this.counters.set(revision, counters);
    }
    return counters;
  }

  private pool(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new Pool(url, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
      this.pools.set(url, pool);
    }
    return pool;
  }

  private stickyKey(req: IncomingMessage): string | undefined {
    const { stickyHeader, stickyCookie } = this.options;
    if (stickyHeader) {
      const value = req.headers[stickyHeader.toLowerCase()];
      if (typeof value === 'string' && value) return value;
    }
    if (stickyCookie && req.headers.cookie) {
      const match = new RegExp(`(?:^|;\\s*)${stickyCookie}=([^;]+)`).exec(req.headers.cookie);
      if (match?.[1]) return match[1];
    }
    return undefined;
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const stable = this.stable;
    if (!stable) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no stable version routed yet\n');
      return;
    }
    const candidatePercent = this.candidatePercent;
    const cohort = this.cohort && this.options.cohortMatch?.(req) ? this.cohort : null;
    const arm = cohort || !this.candidate ? 'stable' : this.split.pick(this.stickyKey(req));
    const backend = cohort ?? (arm === 'candidate' ? this.candidate : arm === 'baseline' ? this.baseline : null) ?? stable;
    let status = 502;
    // A client that goes away before its answer is complete is not the version's failure: Google's
    // front ends log such a request as 499 (client closed request), a 4xx, never as a 5xx.
    let clientGone = false;
    res.once('close', () => {
      if (!res.writableFinished) clientGone = true;
    });
    try {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host') headers[name] = value;
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      // undici's stream(): the upstream body is written straight into our response, no extra Readable.
      await this.pool(backend.url).stream(
        { method: req.method as 'GET', path: req.url ?? '/', headers, body: hasBody ? req : null },
        ({ statusCode, headers: upstreamHeaders }) => {
          status = statusCode;
          const out: Record<string, string | string[]> = { 'x-cutover-revision': backend.revision };
          for (const [name, value] of Object.entries(upstreamHeaders)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
          // Headers and the first body chunk leave in one write.
          res.socket?.cork();
          process.nextTick(() => res.socket?.uncork());
          res.writeHead(statusCode, out);
          return res;
        },
      );
    } catch (error) {
      if (clientGone || req.destroyed) {
        status = CLIENT_CLOSED_REQUEST;
        return;
      }
      status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', 'x-cutover-revision': backend.revision });
      res.end(`upstream ${backend.revision} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      const ms = performance.now() - started;
      this.countersFor(backend.revision).record(this.now(), status, ms);
      this.options.accessLog?.({ at: this.now(), method: req.method ?? 'GET', path: req.url ?? '/', status, ms: Math.round(ms * 10) / 10, revision: backend.revision, candidatePercent });
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}
