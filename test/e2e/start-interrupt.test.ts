import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { emulators } from '../harness/emulator-context.js';

/**
 * Ctrl-C at any moment of `npm start` stops every process it started: the emulators (shell
 * wrappers around java, in their own process groups) and the sample service's versions. Each run
 * carries a marker in its environment, which every process it starts inherits; after the
 * interrupt, no process on the machine may still carry it.
 */
const require = createRequire(import.meta.url);
const TSX = pathToFileURL(require.resolve('tsx')).href;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What `npm start` runs (package.json), from another working directory: tsx and the script by their paths. */
const [command = 'node', ...rest] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
const START_ARGS = rest.map((arg) => (arg === 'tsx' ? TSX : arg.endsWith('.ts') ? join(ROOT, arg) : arg));
const START_BIN = command === 'node' ? process.execPath : join(ROOT, 'node_modules', '.bin', command);
const cwd = mkdtempSync(join(tmpdir(), 'cutover-start-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function carrying(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`CUTOVER_RUN_MARKER=${marker}`)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

async function interruptAt(when: number | 'ready'): Promise<{ left: number[]; output: string }> {
  const marker = randomUUID();
  const child = spawn(START_BIN, [...START_ARGS, '--no-demo'], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CUTOVER_RUN_MARKER: marker, METADATA_SERVER_DETECTION: 'none', LOG_LEVEL: 'silent' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (when === 'ready') {
    for (let i = 0; i < 600 && !output.includes('Cutover is running'); i += 1) await new Promise((r) => setTimeout(r, 100));
  } else {
    await new Promise((r) => setTimeout(r, when));
  }
  // As a terminal's Ctrl-C: SIGINT to the whole foreground process group.
  process.kill(-(child.pid ?? 0), 'SIGINT');
  const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 40_000));
  if ((await Promise.race([exited, timeout])) === 'hung') process.kill(-(child.pid ?? 0), 'SIGKILL');
  let left = carrying(marker);
  for (let i = 0; i < 50 && left.length > 0; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    left = carrying(marker);
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return { left, output };
}

describe.skipIf(!emulators.available)('npm start: Ctrl-C at any point of start-up leaves no process behind', () => {
  it.each([150, 800, 2_000, 3_500, 5_000, 7_500, 'ready' as const])('interrupted after %s ms', async (when) => {
    const { left, output } = await interruptAt(when);
    expect(left, `processes left (pids ${left.join(', ')}); output:\n${output.slice(-2_000)}`).toEqual([]);
  }, 90_000);
});
