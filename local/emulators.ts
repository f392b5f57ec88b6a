import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Starts Google's own Firestore and Pub/Sub emulators (from the gcloud SDK) on free loopback
 * ports, and stops them, process group and all. Used by the vitest global setup, the
 * benchmarks and `npm start`.
 */
export const SDK_ROOT = process.env.CUTOVER_GCLOUD_SDK ?? '/usr/lib/google-cloud-sdk';
export const FIRESTORE_BIN = `${SDK_ROOT}/platform/cloud-firestore-emulator/cloud_firestore_emulator`;
export const PUBSUB_BIN = `${SDK_ROOT}/platform/pubsub-emulator/bin/cloud-pubsub-emulator`;

/** A free port can be taken by someone else before the emulator binds it (the Firestore emulator
 * also binds a second, random port for its WebSocket server): then it is started again on new ports. */
const BIND_ATTEMPTS = 5;
const BIND_CONFLICT = /Address already in use|BindException/;
const isBindConflict = (error: unknown) => error instanceof Error && BIND_CONFLICT.test(error.message);

export interface Emulator {
  host: string;
  stop(): Promise<void>;
}

export function missingEmulators(): string[] {
  const missing: string[] = [];
  if (!existsSync(FIRESTORE_BIN)) missing.push(`Firestore emulator (${FIRESTORE_BIN}): apt-get install google-cloud-cli-firestore-emulator`);
  if (!existsSync(PUBSUB_BIN)) missing.push(`Pub/Sub emulator (${PUBSUB_BIN}): apt-get install google-cloud-cli-pubsub-emulator`);
  return missing;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(host: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}:\n${output()}`);
    // The Pub/Sub emulator logs a failed bind and keeps running, so its log is watched too.
    if (BIND_CONFLICT.test(output())) throw new Error(`emulator could not bind ${host}:\n${output()}`);
    try {
      // Bounded: whatever else holds the port may accept the connection and never answer.
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`emulator at ${host} did not come up within ${timeoutMs} ms:\n${output()}`);
}

/** Process groups still running; killed outright if this process exits before stopping them. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** How a port is chosen; tests pass one that hands out a taken port first. */
export type PortPicker = () => Promise<number>;

async function startEmulator(bin: string, args: (port: number) => string[], pickPort: PortPicker): Promise<Emulator> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startEmulatorOnce(bin, args, await pickPort());
    } catch (error) {
      if (attempt >= BIND_ATTEMPTS || !isBindConflict(error)) throw error;
    }
  }
}

async function startEmulatorOnce(bin: string, args: (port: number) => string[], port: number): Promise<Emulator> {
  const host = `127.0.0.1:${port}`;
  // Own process group, so stop() also ends the java process the wrapper script starts.
  const child = spawn(bin, args(port), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) running.add(pid);
  child.once('exit', () => {
    if (pid !== undefined) running.delete(pid);
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, 1_500);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilUp(host, child, () => log, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, stop };
}

export function startFirestoreEmulator(pickPort: PortPicker = freePort): Promise<Emulator> {
  return startEmulator(FIRESTORE_BIN, (port) => ['start', '--host=127.0.0.1', `--port=${port}`], pickPort);
}

export function startPubsubEmulator(pickPort: PortPicker = freePort): Promise<Emulator> {
  return startEmulator(PUBSUB_BIN, (port) => ['--host=127.0.0.1', `--port=${port}`], pickPort);
}

/** Both emulators at once; if one fails to start, the other is stopped before the error surfaces. */
export async function startEmulators(): Promise<{ firestore: Emulator; pubsub: Emulator }> {
  const [firestore, pubsub] = await Promise.allSettled([startFirestoreEmulator(), startPubsubEmulator()]);
  if (firestore.status === 'fulfilled' && pubsub.status === 'fulfilled') return { firestore: firestore.value, pubsub: pubsub.value };
  await Promise.all([firestore, pubsub].map((r) => (r.status === 'fulfilled' ? r.value.stop() : Promise.resolve())));
  throw firestore.status === 'rejected' ? firestore.reason : (pubsub as PromiseRejectedResult).reason;
}
