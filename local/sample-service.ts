import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The demo service: one process per version (blue, green, …). It answers 1 KiB bodies and can be
 * told to fail a fraction of requests (exactly: every 1/rate-th request, so tests are repeatable)
 * or to add latency; for the judgement benchmark also to fail its first N requests, every request
 * to one path, to slow a fraction of requests by a fixed amount (a slow tail), or to add random
 * jitter. /healthz answers 200 unless FAIL_HEALTHZ=1. Prints "listening PORT" when ready.
 */
const version = process.env.VERSION ?? 'blue';
let failRate = Number(process.env.FAIL_RATE ?? 0);
let latencyMs = Number(process.env.LATENCY_MS ?? 0);
let failFirst = Number(process.env.FAIL_FIRST ?? 0);
let failPath = process.env.FAIL_PATH ?? '';
let slowRate = Number(process.env.SLOW_RATE ?? 0);
let slowMs = Number(process.env.SLOW_MS ?? 0);
let jitterMs = Number(process.env.JITTER_MS ?? 0);
const failHealthz = process.env.FAIL_HEALTHZ === '1';
const body = `hello from ${version}\n`.padEnd(1024, '.');
let served = 0;
let failed = 0;
let slowed = 0;

const server = createServer((req, res) => {
  // Benchmarks change behaviour live (the moment a breach starts): POST /__control?failRate=R&latencyMs=MS
  if (req.method === 'POST' && req.url?.startsWith('/__control')) {
    const params = new URL(req.url, 'http://x').searchParams;
    if (params.has('failRate')) failRate = Number(params.get('failRate'));
    if (params.has('latencyMs')) latencyMs = Number(params.get('latencyMs'));
    if (params.has('failFirst')) failFirst = Number(params.get('failFirst'));
    if (params.has('failPath')) failPath = params.get('failPath') ?? '';
    if (params.has('slowRate')) slowRate = Number(params.get('slowRate'));
    if (params.has('slowMs')) slowMs = Number(params.get('slowMs'));
    if (params.has('jitterMs')) jitterMs = Number(params.get('jitterMs'));
    served = 0;
    failed = 0;
    slowed = 0;
    res.writeHead(204).end();
    return;
  }
  const isHealthz = req.url === '/healthz';
  // Decided on arrival, answered after the delay: concurrent requests do not shift each other's fate.
  const n = isHealthz ? served : (served += 1);
  const fail = !isHealthz && (n <= failFirst || (failPath !== '' && (req.url ?? '').startsWith(failPath)) || failed < Math.floor(n * failRate));
  if (fail) failed += 1;
  let delay = latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
  if (!isHealthz && slowed < Math.floor(n * slowRate)) {
    slowed += 1;
    delay += slowMs;
  }
  const answer = () => {
    if (isHealthz) {
      res.writeHead(failHealthz ? 503 : 200, { 'content-type': 'text/plain', 'x-version': version }).end(failHealthz ? 'unhealthy\n' : 'ok\n');
      return;
    }
    if (fail) {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-version': version }).end(`${version} failed on purpose\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-version': version, 'content-length': Buffer.byteLength(body) }).end(body);
  };
  if (delay > 0) setTimeout(answer, delay);
  else answer();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
