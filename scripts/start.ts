import { EmulatorsMissingError, SAMPLE_SERVICE, startLocalStack } from '../shared/local/stack.js';
import { createLogger } from '../shared/runtime/logger.js';

/**
 * `npm start`: Cutover whole on this machine. Ctrl-C stops every process it started.
 */
process.env.METADATA_SERVER_DETECTION ??= 'none';
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'cutover-local' });

async function main(): Promise<void> {
  process.stdout.write('starting Cutover locally (emulators, Pub/Sub topology, functions, local router, sample service)…\n');
  let stack;
  try {
    stack = await startLocalStack({ log, writeEnvFile: true, tickIntervalMs: 5_000 });
  } catch (error) {
    if (error instanceof EmulatorsMissingError) {
      process.stderr.write(`cutover: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const { urls } = stack;
  process.stdout.write(
    [
      '',
      'Cutover is running on 127.0.0.1:',
      `  sample service (via the local router)  ${urls.sample}`,
      `  local router admin API                 ${urls.admin}`,
      `  Firestore emulator                     ${urls.firestore}   (database "cutover", project cutover-local)`,
      `  Pub/Sub emulator                       ${urls.pubsub}`,
      ...Object.entries(urls.functions).map(([fn, url]) => `  function ${fn.padEnd(29)} ${url}`),
      '',
      'Try, in another terminal (the CLI reads .cutover/local.env):',
      `  npm run -s cutover -- dev release --version green            # a good release`,
      `  npm run -s cutover -- dev release --version red --fail-rate 0.3   # rolled back by health`,
      `  npm run -s cutover -- dev alert ${SAMPLE_SERVICE}                          # rolled back by an alert`,
      `  npm run -s cutover -- status ${SAMPLE_SERVICE}`,
      `  curl ${urls.sample}/    # send traffic: health needs requests`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    await stack.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await main();
