import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The demo service: one process per version (blue, green, …). It answers 1 KiB bodies and can be
 * told to fail a fraction of requests (exactly: every 1/rate-th request, so tests are repeatable)
 * or to add latency. /healthz answers 200 unless FAIL_HEALTHZ=1. Prints "listening PORT" when ready.
 */
const version = process.env.VERSION ?? 'blue';
let failRate = Number(process.env.FAIL_RATE ?? 0);
let latencyMs = Number(process.env.LATENCY_MS ?? 0);
const failHealthz = process.env.FAIL_HEALTHZ === '1';
const body = `hello from ${version}\n`.padEnd(1024, '.');
let served = 0;
let failed = 0;

const server = createServer((req, res) => {
  // Benchmarks change behaviour live (the moment a breach starts): POST /__control?failRate=R&latencyMs=MS
  if (req.method === 'POST' && req.url?.startsWith('/__control')) {
    const params = new URL(req.url, 'http://x').searchParams;
    if (params.has('failRate')) failRate = Number(params.get('failRate'));
    if (params.has('latencyMs')) latencyMs = Number(params.get('latencyMs'));
    served = 0;
    failed = 0;
    res.writeHead(204).end();
    return;
  }
  const answer = () => {
    if (req.url === '/healthz') {
      res.writeHead(failHealthz ? 503 : 200, { 'content-type': 'text/plain', 'x-version': version }).end(failHealthz ? 'unhealthy\n' : 'ok\n');
      return;
    }
    served += 1;
    if (failed < Math.floor(served * failRate)) {
      failed += 1;
      res.writeHead(500, { 'content-type': 'text/plain', 'x-version': version }).end(`${version} failed on purpose\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-version': version, 'content-length': Buffer.byteLength(body) }).end(body);
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
