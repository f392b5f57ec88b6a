import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { FirestoreStore } from '../shared/adapters/firestore/firestore-store.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { httpCommandClient, idTokenFor } from './command-client.js';
import { ServiceConfigError } from '../shared/domain/index.js';
import { StoreUnavailableError } from '../shared/ports/index.js';
import { CliError, buildProgram, type CliContext } from './program.js';

const LOCAL_ENV_FILE = '.cutover/local.env';

/**
 * The `cutover` CLI. Exit codes: 0 ok, 1 error (not found, Firestore unreachable), 2 invalid
 * input, 3 command rejected by the state machine.
 */
export async function main(argv: string[], givenEnv: Record<string, string | undefined>): Promise<number> {
  const env = withLocalStackEnv(givenEnv);
  // Against the emulators there is no metadata server to ask for credentials, and the Pub/Sub
  // client (notifications) finds its emulator only through the process environment.
  if (env.FIRESTORE_EMULATOR_HOST) process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (env.PUBSUB_EMULATOR_HOST) process.env.PUBSUB_EMULATOR_HOST ??= env.PUBSUB_EMULATOR_HOST;
  let store: FirestoreStore | null = null;
  const where = () => `project ${env.CUTOVER_PROJECT ?? env.GOOGLE_CLOUD_PROJECT ?? '?'}, database ${env.CUTOVER_DATABASE ?? 'cutover'}${env.FIRESTORE_EMULATOR_HOST ? `, emulator ${env.FIRESTORE_EMULATOR_HOST}` : ''}`;
  const context = (): Promise<CliContext> => {
    const config = loadConfig({ ...env, CUTOVER_PROJECT: env.CUTOVER_PROJECT ?? env.GOOGLE_CLOUD_PROJECT ?? (env.FIRESTORE_EMULATOR_HOST ? 'cutover-local' : undefined) });
    store = new FirestoreStore({ projectId: config.projectId, databaseId: config.databaseId, emulatorHost: config.firestoreEmulatorHost });
    const commandUrl = env.CUTOVER_COMMAND_URL;
    return Promise.resolve({
      store,
      commands: commandUrl ? httpCommandClient(commandUrl, () => idTokenFor(env, commandUrl)) : null,
      clock: Date.now,
      out: (t) => process.stdout.write(`${t}\n`),
      tty: process.stdout.isTTY,
      err: (t) => process.stderr.write(`${t}\n`),
    });
  };
  const program = buildProgram(context, () => env);
  try {
    // watch runs until Ctrl-C; every other command must answer within the timeout.
    const timeoutMs = argv.includes('watch') && !argv.includes('--once') ? 0 : Number(env.CUTOVER_CLI_TIMEOUT_MS ?? 15_000);
    await withTimeout(program.parseAsync(argv, { from: 'user' }), timeoutMs, where);
    return 0;
  } catch (error) {
    return report(error, where);
  } finally {
    await (store as FirestoreStore | null)?.close().catch(() => undefined);
  }
}

function report(error: unknown, where: () => string): number {
  if (error instanceof CommanderError) return error.exitCode;
  const say = (text: string) => process.stderr.write(`cutover: ${text}\n`);
  if (error instanceof CliError) return (say(error.message), error.exitCode);
  if (error instanceof ServiceConfigError || error instanceof ConfigError) return (say(error.message), 2);
  if (error instanceof StoreUnavailableError || error instanceof FirestoreTimeout) {
    say(`cannot reach Firestore (${where()}): ${error.message}\n  check FIRESTORE_EMULATOR_HOST for the local stack, or gcloud credentials and CUTOVER_PROJECT`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/credentials|ECONNREFUSED|UNAVAILABLE|DEADLINE/i.test(message)) {
    say(`cannot reach Firestore (${where()}): ${message}`);
    return 1;
  }
  say(message);
  return 1;
}

class FirestoreTimeout extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number, where: () => string): Promise<T> {
  if (ms <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FirestoreTimeout(`no answer within ${ms} ms (${where()})`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** With no project configured, use the local stack's settings (written by `npm start`), if any. */
function withLocalStackEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.CUTOVER_PROJECT || env.GOOGLE_CLOUD_PROJECT || env.FIRESTORE_EMULATOR_HOST || !existsSync(LOCAL_ENV_FILE)) return env;
  const local = Object.fromEntries(
    readFileSync(LOCAL_ENV_FILE, 'utf8')
      .split('\n')
      .map((line) => line.split('='))
      .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] !== ''),
  );
  return { ...local, ...env };
}
