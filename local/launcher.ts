import { createRequire } from 'node:module';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { digestOf } from './cloud-build.js';

/**
 * Starts versions of the sample service as separate processes, the local stand-in for Cloud Run
 * revisions. A local image reads `local/sample:VERSION?failRate=0.2&latencyMs=50`.
 */
export interface LocalImage {
  version: string;
  failRate: number;
  latencyMs: number;
  failHealthz: boolean;
  /** Behaviours the judgement benchmark needs, passed to the process as they are (see sample-service.ts). */
  behaviour: Partial<Record<SampleBehaviour, string>>;
}

/** Image parameters beyond failRate/latencyMs: a burst of first failures, one failing path, a slow tail, jitter. */
export const SAMPLE_BEHAVIOURS = ['failFirst', 'failPath', 'slowRate', 'slowMs', 'jitterMs'] as const;
export type SampleBehaviour = (typeof SAMPLE_BEHAVIOURS)[number];
const envName = (b: SampleBehaviour) => b.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** The local registry: what each pushed digest was built from (the local Cloud Build pushes here). */
const pushed = new Map<string, string>();

export function pushLocalImage(image: string): { name: string; digest: string } {
  const digest = digestOf(image);
  pushed.set(digest, image);
  return { name: image, digest };
}

/** Reads a local image, by name or pinned by digest (`local/sample@sha256:…`, as releases deploy it). */
export function parseLocalImage(image: string): LocalImage | null {
  const pinned = /^local\/[a-z0-9-]+@(sha256:[0-9a-f]{64})$/.exec(image);
  if (pinned?.[1]) {
    const built = pushed.get(pinned[1]);
    return built ? parseLocalImage(built) : null;
  }
  const [ref = '', query = ''] = image.split('?');
  const match = /^local\/[a-z0-9-]+:([A-Za-z0-9._-]+)$/.exec(ref);
  if (!match?.[1]) return null;
  const params = new URLSearchParams(query);
  return {
    version: match[1],
    failRate: Number(params.get('failRate') ?? 0),
    latencyMs: Number(params.get('latencyMs') ?? 0),
    failHealthz: params.get('failHealthz') === '1',
    behaviour: Object.fromEntries(SAMPLE_BEHAVIOURS.flatMap((b) => (params.has(b) ? [[b, params.get(b) ?? '']] : []))),
  };
}

export function localImage(version: string, options: { failRate?: number; latencyMs?: number; failHealthz?: boolean } & Partial<Record<SampleBehaviour, number | string>> = {}): string {
  const params = new URLSearchParams();
  if (options.failRate) params.set('failRate', String(options.failRate));
  if (options.latencyMs) params.set('latencyMs', String(options.latencyMs));
  if (options.failHealthz) params.set('failHealthz', '1');
  for (const b of SAMPLE_BEHAVIOURS) if (options[b] !== undefined && options[b] !== 0 && options[b] !== '') params.set(b, String(options[b]));
  const query = params.toString();
  return `local/sample:${version}${query ? `?${query}` : ''}`;
}

export interface Launched {
  revision: string;
  url: string;
  stop(): Promise<void>;
}

const here = fileURLToPath(import.meta.url);
const script = here.replace(/launcher\.(ts|js)$/, (_, ext: string) => `sample-service.${ext}`);
// tsx by its own path: the sample runs the same from any working directory.
const nodeArgs = here.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, script] : [script];

export function launchSample(revision: string, image: LocalImage, timeoutMs = 15_000): Promise<Launched> {
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    env: {
      ...process.env,
      VERSION: image.version,
      FAIL_RATE: String(image.failRate),
      LATENCY_MS: String(image.latencyMs),
      FAIL_HEALTHZ: image.failHealthz ? '1' : '0',
      ...Object.fromEntries(Object.entries(image.behaviour).map(([b, v]) => [envName(b as SampleBehaviour), v])),
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`revision ${revision} did not become ready within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ revision, url: `http://127.0.0.1:${match[1]}`, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`revision ${revision} exited with ${code}: ${output}`));
    });
  });
}
