import { runDemo } from '../local/demo.js';
import { EmulatorsMissingError, LOCAL_ADMIN, SAMPLE_SERVICE, startLocalStack, type LocalStack } from '../local/stack.js';
import { createLogger } from '../shared/runtime/logger.js';
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';

/**
 * `npm start`: Cutover whole on this machine, then a guided demo under load (three releases:
 * complete, rolled back by health, rolled back by an alert). `npm start -- --no-demo` keeps the
 * stack up for your own experiments. Ctrl-C stops every process it started.
 */
process.env.METADATA_SERVER_DETECTION ??= 'none';
const demo = !process.argv.includes('--no-demo');
const tty = process.stdout.isTTY === true;
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'error', name: 'cutover-local', gcp: false });
const out = (text: string) => process.stdout.write(`${text}\n`);

mkdirSync('.cutover', { recursive: true });
const accessLog = createWriteStream('.cutover/access.log', { flags: 'a' });

let stack: LocalStack | null = null;
let stopping = false;
// Ctrl-C during start-up aborts it: startLocalStack stops what it started so far, then we exit.
const starting = new AbortController();
async function stop(code = 0): Promise<never> {
  if (!stopping) {
    stopping = true;
    out('\nstopping every process npm start started…');
    await stack?.close();
    accessLog.end();
  }
  process.exit(code);
}
/**
 * The first interrupt stops cleanly (at once, or as soon as the step under way returns); a second
 * one exits now, and the emulators' process groups are killed on the way out (local/emulators.ts).
 * `npm start` runs node itself, not the tsx CLI, whose signal relay would kill this process before
 * it could stop anything.
 */
const interrupt = () => {
  if (stopping || starting.signal.aborted) process.exit(130);
  if (stack) void stop(0);
  else {
    out('\ninterrupted during start-up: stopping what was started…');
    starting.abort();
  }
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

out('starting Cutover on 127.0.0.1: Firestore and Pub/Sub emulators, topology, functions, local router, sample service…');
try {
  stack = await startLocalStack({
    log,
    writeEnvFile: true,
    signal: starting.signal,
    accessLog: (line) => accessLog.write(`${JSON.stringify(line)}\n`),
    // The sample service's chat channel (notifyChat → Secret Manager → webhook), printed here.
    chatMessage: (m) => out(`chat ▸ ${m.text.split('\n')[0] ?? ''}`),
    // Quick enough to watch: a good release completes in about half a minute.
    service: { bakeTime: '5s', healthInterval: '1s', slo: { maxErrorRate: 0.05, minRequests: 20, window: '10s' } },
  });
} catch (error) {
  if (starting.signal.aborted) {
    accessLog.end();
    process.exit(130);
  }
  if (error instanceof EmulatorsMissingError) {
    process.stderr.write(`cutover: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
if (starting.signal.aborted) await stop(130);

const { urls } = stack;
const banner = [
  '',
  'Cutover is running on 127.0.0.1:',
  `  status page (open in a browser)        ${urls.functions.statusPage ?? '-'}`,
  `  sample service (via the local router)  ${urls.sample}   (sticky: header x-cutover-sticky or cookie cutover-sticky)`,
  `  shop service (GKE blue/green, via the local load balancer)  ${urls.shop}   (cohort: header x-cutover-cohort: canary or cookie cutover-cohort=canary)`,
  ...Object.entries(urls.globe).map(([region, url]) => `  globe service in ${region.padEnd(21)} ${url}   (released in waves: europe-west1, then us-central1 + asia-northeast1)`),
  `  local router admin API                 ${urls.admin}`,
  `  Firestore emulator                     ${urls.firestore}   (database "cutover", project cutover-local)`,
  `  Pub/Sub emulator                       ${urls.pubsub}`,
  ...Object.entries(urls.functions).map(([fn, url]) => `  function ${fn.padEnd(29)} ${url}`),
  `  access log                             .cutover/access.log (one line per request, naming the version)`,
  `  local chat (Google Chat webhook)       ${stack.chat.origin}   (release events print here as "chat ▸ …")`,
  '',
  'Try, in another terminal (the CLI finds this stack through .cutover/local.env):',
  `  npm run -s cutover -- watch ${SAMPLE_SERVICE}`,
  `  npm run -s cutover -- dev release --version green                 # a good release`,
  `  npm run -s cutover -- dev release --version red --fail-rate 0.3   # rolled back by health`,
  `  npm run -s cutover -- dev alert ${SAMPLE_SERVICE}                                 # rolled back by an alert`,
  `  npm run -s cutover -- status ${SAMPLE_SERVICE}   |   history <release>   |   pause / resume / promote / abort <release>`,
  `  (you steer as ${LOCAL_ADMIN}, a platform admin; CUTOVER_LOCAL_USER=viewer@cutover.local shows a refusal;`,
  `   on the status page, sign in as operator@cutover.local — on call for ${SAMPLE_SERVICE} — to get its buttons)`,
  `  npm run -s cutover -- dev release --version x --branch feature/y  # an untrusted branch: see cutover rejected`,
  `  curl ${urls.sample}/    # health needs traffic; the demo generates it`,
  `  npm run -s cutover -- dev release --service shop --version green  # the shop: deploys into the idle colour`,
  `  npm run -s cutover -- dev release --service globe --version green # three regions, in two waves (cutover status globe)`,
  `  curl -H 'x-cutover-cohort: canary' ${urls.shop}/   # the shop's candidate colour, before any weight moves`,
  '',
  'Ctrl-C stops everything.',
  '',
];
out(banner.join('\n'));

if (demo) {
  const { outcomes, load } = await runDemo(stack, { out, tty });
  if (tty) out('\x1b[H\x1b[2J');
  out(banner.join('\n'));
  out('Demo results (under continuous load):');
  for (const o of outcomes) out(`  ${o.ok ? 'ok ' : 'NOT'}  ${o.step.title} → ${o.phase}${o.cause ? ` (${o.cause})` : ''}   [${o.releaseId}]`);
  out(`  load: ${load.requests.total} requests, ${load.non2xx} non-2xx (the bad version's own failures while it had traffic), ${load.errors} connection errors`);
  out('\nThe stack stays up for your own experiments. Ctrl-C stops everything.');
  if (process.env.CUTOVER_DEMO_EXIT === '1') await stop(outcomes.every((o) => o.ok) ? 0 : 1);
}
