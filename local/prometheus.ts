import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Prometheus HTTP API (GET /api/v1/query), the stand-in for Cloud Monitoring's Managed
 * Service for Prometheus in tests and on the local stack. It evaluates the PromQL Cutover's custom
 * metrics use over series registered here: selectors with `=`/`!=` matchers, `rate(s[W])` and
 * `increase(s[W])` of counters, `sum`/`avg`/`max`/`min` aggregations, number literals and `+ - * /`
 * between single samples. Anything else is answered as Prometheus does: status "error",
 * errorType "bad_data". Series are counters or gauges read at a time (epoch ms). A division by
 * zero (no traffic) gives no sample, which the provider reads as no value.
 */
export interface Series {
  name: string;
  labels: Record<string, string>;
  /** The series' value at `atMs` (a counter's running total, or a gauge). */
  valueAt(atMs: number): number;
}

type Sample = { labels: Record<string, string>; value: number };
class BadData extends Error {}

export class LocalPrometheus {
  private server: Server | null = null;
  private readonly series: Series[] = [];
  /** Queries received, for tests that check what was asked. */
  readonly queries: string[] = [];
  url = '';

  constructor(private readonly sources: (() => Series[]) | null = null) {}

  add(series: Series): void {
    this.series.push(series);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'GET' || url.pathname !== '/api/v1/query') return send(404, { status: 'error', errorType: 'not_found', error: `no route ${req.method} ${url.pathname}` });
      const query = url.searchParams.get('query') ?? '';
      const time = Number(url.searchParams.get('time') ?? Date.now() / 1000);
      this.queries.push(query);
      try {
        const result = this.evaluate(query, time * 1000);
        return send(200, { status: 'success', data: { resultType: 'vector', result: result.map((s) => ({ metric: s.labels, value: [time, String(s.value)] })) } });
      } catch (error) {
        return send(400, { status: 'error', errorType: 'bad_data', error: error instanceof Error ? error.message : String(error) });
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  evaluate(query: string, atMs: number): Sample[] {
    const tokens = tokenize(query);
    const parser = new Parser(tokens, atMs, [...this.series, ...(this.sources?.() ?? [])]);
    const result = parser.expression();
    if (!parser.done()) throw new BadData(`unexpected "${parser.peek() ?? ''}"`);
    return result;
  }
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(?:([A-Za-z_:][A-Za-z0-9_:]*)|("(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?(?:ms|s|m|h)?)|(!=|[{}()[\],=+\-*/]))/y;
  let i = 0;
  while (i < query.length) {
    if (/^\s*$/.test(query.slice(i))) break;
    pattern.lastIndex = i;
    const m = pattern.exec(query);
    if (!m) throw new BadData(`cannot parse at "${query.slice(i, i + 10)}"`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
    i = pattern.lastIndex;
  }
  return tokens;
}

const AGGREGATIONS: Record<string, (values: number[]) => number> = {
  sum: (v) => v.reduce((a, x) => a + x, 0),
  avg: (v) => v.reduce((a, x) => a + x, 0) / v.length,
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
};

function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new BadData(`not a duration: ${text}`);
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: string[],
    private readonly at: number,
    private readonly series: Series[],
  ) {}

  peek = (): string | undefined => this.tokens[this.i];
  done = (): boolean => this.i >= this.tokens.length;
  private take(expected?: string): string {
    const token = this.tokens[this.i];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new BadData(`expected ${expected ?? 'more'}, found "${token ?? 'end'}"`);
    this.i += 1;
    return token;
  }

  /** expression := term (op term)*, left to right; arithmetic only between single samples. */
  expression(): Sample[] {
    let left = this.term();
    while (['+', '-', '*', '/'].includes(this.peek() ?? '')) {
      const op = this.take();
      const right = this.term();
      left = arithmetic(left, right, op);
    }
    return left;
  }

  private term(): Sample[] {
    const token = this.take();
    if (token === '(') {
      const inner = this.expression();
      this.take(')');
      return inner;
    }
    if (/^\d/.test(token)) return [{ labels: {}, value: Number(token) }];
    const aggregate = AGGREGATIONS[token];
    if (aggregate && this.peek() === '(') {
      this.take('(');
      const inner = this.expression();
      this.take(')');
      return inner.length ? [{ labels: {}, value: aggregate(inner.map((s) => s.value)) }] : [];
    }
    if ((token === 'rate' || token === 'increase') && this.peek() === '(') {
      this.take('(');
      const { matched, rangeMs } = this.selector(this.take());
      this.take(')');
      if (rangeMs === null) throw new BadData(`${token}() needs a range vector`);
      return matched.map((s) => {
        const increase = s.valueAt(this.at) - s.valueAt(this.at - rangeMs);
        return { labels: s.labels, value: token === 'rate' ? increase / (rangeMs / 1000) : increase };
      });
    }
    const { matched, rangeMs } = this.selector(token);
    if (rangeMs !== null) throw new BadData('a range vector must be inside rate() or increase()');
    return matched.map((s) => ({ labels: s.labels, value: s.valueAt(this.at) }));
  }

  private selector(name: string): { matched: Series[]; rangeMs: number | null } {
    if (!/^[A-Za-z_:]/.test(name)) throw new BadData(`expected a metric name, found "${name}"`);
    const matchers: { label: string; op: string; value: string }[] = [];
    if (this.peek() === '{') {
      this.take('{');
      while (this.peek() !== '}') {
        const label = this.take();
        const op = this.take();
        if (op !== '=' && op !== '!=') throw new BadData(`unsupported matcher ${op}`);
        const quoted = this.take();
        if (!quoted.startsWith('"')) throw new BadData(`expected a quoted value for ${label}`);
        matchers.push({ label, op, value: JSON.parse(quoted) as string });
        if (this.peek() === ',') this.take(',');
      }
      this.take('}');
    }
    let rangeMs: number | null = null;
    if (this.peek() === '[') {
      this.take('[');
      rangeMs = durationMs(this.take());
      this.take(']');
    }
    const matched = this.series.filter((s) => s.name === name && matchers.every((m) => ((s.labels[m.label] ?? '') === m.value) === (m.op === '=')));
    return { matched, rangeMs };
  }
}

function arithmetic(left: Sample[], right: Sample[], op: string): Sample[] {
  if (left.length === 0 || right.length === 0) return [];
  if (left.length > 1 || right.length > 1) throw new BadData('arithmetic here is between single samples: aggregate each side');
  const [a, b] = [left[0]?.value ?? 0, right[0]?.value ?? 0];
  const value = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : b === 0 ? Number.NaN : a / b;
  return Number.isNaN(value) ? [] : [{ labels: {}, value }];
}
