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
    try {
      const response = await fetch(`http://${host}/`);
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

async function startEmulator(bin: string, args: (port: number) => string[]): Promise<Emulator> {
  const port = await freePort();
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

export function startFirestoreEmulator(): Promise<Emulator> {
  return startEmulator(FIRESTORE_BIN, (port) => ['start', '--host=127.0.0.1', `--port=${port}`]);
}

export function startPubsubEmulator(): Promise<Emulator> {
  return startEmulator(PUBSUB_BIN, (port) => ['--host=127.0.0.1', `--port=${port}`]);
}
