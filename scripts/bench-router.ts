import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../local/emulators.js';
import { LocalRouter } from '../local/router/proxy.js';
import { appendReport, percentile } from './bench-report.js';

/**
 * The local router against nginx, side by side in one run: the same 1 KiB upstream (an nginx
 * static server), keep-alive, the same concurrency, one nginx worker against one router process,
 * load from wrk. Also: split accuracy over ≥ 100k requests, and how fast a weight change applies.
 * Installs nginx and wrk from Debian's packages when absent.
 * Targets (issue 4): ≥ 0.6× nginx requests/s; p99 added latency ≤ 1 ms; split within ±1 point;
 * weight change applied ≤ 100 ms.
 */
const run = promisify(execFile);
const DURATION = process.env.BENCH_ROUTER_SECONDS ?? '10';
const CONNECTIONS = process.env.BENCH_ROUTER_CONNECTIONS ?? '32';

function ensureTools(): string | null {
  const has = (bin: string) => {
    try {
      execFileSync('which', [bin], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has('nginx') && has('wrk')) return null;
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx-light', 'wrk'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    execFileSync('sh', ['-c', 'service nginx stop >/dev/null 2>&1; pkill -x nginx; true']);
  } catch (error) {
    return `could not install nginx and wrk from Debian's packages: ${String(error)}`;
  }
  return has('nginx') && has('wrk') ? null : 'nginx or wrk still missing after apt-get install';
}

function startNginx(dir: string, name: string, body: string): ChildProcess {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, `worker_processes 1;\ndaemon off;\npid ${join(dir, `${name}.pid`)};\nerror_log ${join(dir, `${name}.err`)} warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  keepalive_requests 1000000;\n  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};\n${body}\n}\n`);
  return spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
}

function ms(value: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(value);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

async function wrk(url: string, seconds = DURATION): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url], { timeout: 120_000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  return { rps, p50, p99 };
}

async function waitListening(url: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      await (await fetch(url)).text();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

async function main(): Promise<string[]> {
  const missing = ensureTools();
  if (missing) return [`| local router vs nginx | not measured: ${missing} | — | missed |`];
  const dir = mkdtempSync(join(tmpdir(), 'cutover-bench-nginx-'));
  const [blue, green, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const body = 'x'.repeat(1024);
  const upstream = startNginx(dir, 'upstream', `  server { listen 127.0.0.1:${blue}; location / { default_type text/plain; return 200 "${body}"; } }\n  server { listen 127.0.0.1:${green}; location / { default_type text/plain; return 200 "${body}"; } }`);
  const proxy = startNginx(dir, 'proxy', `  upstream stable { server 127.0.0.1:${blue}; keepalive 64; }\n  server { listen 127.0.0.1:${proxyPort}; location / { proxy_pass http://stable; proxy_http_version 1.1; proxy_set_header Connection ""; } }`);
  let firstCandidateAt = 0;
  const router = new LocalRouter({
    accessLog: (line) => {
      if (!firstCandidateAt && line.revision === 'green' && line.candidatePercent === 30) firstCandidateAt = performance.now();
    },
  });
  const routerUrl = await router.listen(0);
  router.route({ revision: 'blue', url: `http://127.0.0.1:${blue}` }, null, 0);
  try {
    await waitListening(`http://127.0.0.1:${blue}/`);
    await waitListening(`http://127.0.0.1:${proxyPort}/`);
    await wrk(`http://127.0.0.1:${blue}/`, '2'); // warm-up
    await wrk(`${routerUrl}/`, '3'); // warm-up (JIT)
    const direct = await wrk(`http://127.0.0.1:${blue}/`);
    const nginx = await wrk(`http://127.0.0.1:${proxyPort}/`);
    const ours = await wrk(`${routerUrl}/`);

    // Split accuracy over at least 100k requests at 50%.
    router.route({ revision: 'blue', url: `http://127.0.0.1:${blue}` }, { revision: 'green', url: `http://127.0.0.1:${green}` }, 50);
    const before = { blue: router.countersFor('blue').total.requests, green: router.countersFor('green').total.requests };
    let splitRequests = 0;
    while (splitRequests < 100_000) {
      await wrk(`${routerUrl}/`, '5');
      splitRequests = router.countersFor('blue').total.requests - before.blue + (router.countersFor('green').total.requests - before.green);
    }
    const greenShare = ((router.countersFor('green').total.requests - before.green) / splitRequests) * 100;

    // Weight change under load: time from the change to the first response under the new split.
    router.route({ revision: 'blue', url: `http://127.0.0.1:${blue}` }, { revision: 'green', url: `http://127.0.0.1:${green}` }, 0);
    const changes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const load = wrk(`${routerUrl}/`, '2');
      await new Promise((r) => setTimeout(r, 700));
      firstCandidateAt = 0;
      const changedAt = performance.now();
      router.route({ revision: 'blue', url: `http://127.0.0.1:${blue}` }, { revision: 'green', url: `http://127.0.0.1:${green}` }, 30);
      while (!firstCandidateAt && performance.now() - changedAt < 2_000) await new Promise((r) => setImmediate(r));
      changes.push((firstCandidateAt || performance.now()) - changedAt);
      await load;
      router.route({ revision: 'blue', url: `http://127.0.0.1:${blue}` }, { revision: 'green', url: `http://127.0.0.1:${green}` }, 0);
    }

    const ratio = ours.rps / nginx.rps;
    const added = ours.p99 - direct.p99;
    const nginxAdded = nginx.p99 - direct.p99;
    const worstChange = Math.max(...changes);
    return [
      `| wrk -t1 -c${CONNECTIONS} ${DURATION}s, 1 KiB bodies, keep-alive: upstream direct | ${direct.rps.toFixed(0)} req/s, p50 ${direct.p50.toFixed(2)} ms, p99 ${direct.p99.toFixed(2)} ms | — | — |`,
      `| through nginx (1 worker, keep-alive upstream) | ${nginx.rps.toFixed(0)} req/s, p50 ${nginx.p50.toFixed(2)} ms, p99 ${nginx.p99.toFixed(2)} ms (adds ${nginxAdded.toFixed(2)} ms at p99) | — | — |`,
      `| through the Cutover router (1 process) | ${ours.rps.toFixed(0)} req/s, p50 ${ours.p50.toFixed(2)} ms, p99 ${ours.p99.toFixed(2)} ms | — | — |`,
      `| router / nginx requests/s | ${ratio.toFixed(2)}× | ≥ 0.6× | ${ratio >= 0.6 ? 'met' : 'missed'} |`,
      `| router p99 added over direct | ${added.toFixed(2)} ms | ≤ 1 ms | ${added <= 1 ? 'met' : 'missed'} |`,
      `| split at 50% over ${splitRequests} requests | ${greenShare.toFixed(2)}% to the candidate | within ±1 point | ${Math.abs(greenShare - 50) <= 1 ? 'met' : 'missed'} |`,
      `| weight change 0% → 30% under load, to the first response under the new split (5 runs, in-process; the admin API adds one local HTTP round trip) | max ${worstChange.toFixed(2)} ms, p50 ${percentile(changes, 50).toFixed(2)} ms | ≤ 100 ms | ${worstChange <= 100 ? 'met' : 'missed'} |`,
    ];
  } finally {
    await router.close();
    proxy.kill('SIGTERM');
    upstream.kill('SIGTERM');
  }
}

const lines = ['| measure | result | target | verdict |', '| --- | --- | --- | --- |', ...(await main())];
appendReport('Local router against nginx (same machine, same run)', lines);
console.log(lines.join('\n'));
