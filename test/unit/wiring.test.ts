import { describe, expect, it } from 'vitest';
import { CloudRunRouter } from '../../shared/adapters/gcp/cloud-run-router.js';
import { CloudTasksScheduler } from '../../shared/adapters/gcp/cloud-tasks-scheduler.js';
import { MonitoringHealthSource } from '../../shared/adapters/gcp/monitoring-health.js';
import { TelemetryHealthSource } from '../../shared/adapters/telemetry/telemetry-health.js';
import { PubSubNotifier } from '../../shared/adapters/gcp/pubsub-notifier.js';
import { LocalRouterClient } from '../../shared/adapters/local/local-router-client.js';
import { ConfigError, loadConfig } from '../../shared/config.js';
import type { TargetDispatch } from '../../shared/targets/dispatch.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { wire } from '../../shared/wiring.js';
import { FakeStore } from '../fakes/memory-store.js';

const base = { CUTOVER_PROJECT: 'demo' };
const problemsOf = (env: Record<string, string>) => {
  try {
    wire(loadConfig(env), { log: silentLogger, store: new FakeStore() });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
};

describe('adapter selection is configuration', () => {
  it('wires the Google Cloud adapters from the environment alone', () => {
    const wired = wire(
      loadConfig({
        ...base,
        CUTOVER_ROUTER: 'cloud-run',
        CUTOVER_HEALTH: 'cloud-monitoring',
        CUTOVER_NOTIFIER: 'pubsub',
        CUTOVER_SCHEDULER: 'cloud-tasks',
        CUTOVER_TASKS_QUEUE: 'projects/demo/locations/europe-west1/queues/cutover-timers',
        CUTOVER_TIMER_URL: 'https://europe-west1-demo.cloudfunctions.net/onTimer',
        CUTOVER_TIMER_SERVICE_ACCOUNT: 'cutover-timer@demo.iam.gserviceaccount.com',
      }),
      { log: silentLogger, store: new FakeStore() },
    );
    expect((wired.router as TargetDispatch).target('cloud-run')?.deployer).toBeInstanceOf(CloudRunRouter);
    expect(wired.health).toBeInstanceOf(MonitoringHealthSource);
    expect(wired.notifier).toBeInstanceOf(PubSubNotifier);
    expect(wired.scheduler).toBeInstanceOf(CloudTasksScheduler);
  });

  it('wires the request-log telemetry health source, and names its subscription when missing', () => {
    const env = { ...base, CUTOVER_ROUTER: 'cloud-run', CUTOVER_HEALTH: 'telemetry' };
    expect(problemsOf(env)).toEqual(['CUTOVER_TELEMETRY_SUBSCRIPTION: the pull subscription of the request-log topic (projects/P/subscriptions/S)']);
    const wired = wire(loadConfig({ ...env, CUTOVER_TELEMETRY_SUBSCRIPTION: 'projects/demo/subscriptions/cutover-telemetry' }), { log: silentLogger, store: new FakeStore() });
    expect(wired.health).toBeInstanceOf(TelemetryHealthSource);
  });

  it('wires the local adapters', () => {
    const wired = wire(loadConfig({ ...base, CUTOVER_ROUTER: 'local', CUTOVER_HEALTH: 'local', CUTOVER_LOCAL_ROUTER_URL: 'http://127.0.0.1:9' }), { log: silentLogger, store: new FakeStore() });
    expect((wired.router as TargetDispatch).target('local')?.splitter).toBeInstanceOf(LocalRouterClient);
    // One installation, every kind: each service's effects go to its own kind's target.
    const both = wire(loadConfig({ ...base, CUTOVER_TARGETS: 'cloud-run,local', CUTOVER_HEALTH: 'local', CUTOVER_LOCAL_ROUTER_URL: 'http://127.0.0.1:9' }), { log: silentLogger, store: new FakeStore() });
    expect((both.router as TargetDispatch).kinds).toEqual(['cloud-run', 'local']);
  });

  it('names every missing setting at once', () => {
    expect(problemsOf({ ...base, CUTOVER_SCHEDULER: 'cloud-tasks' })).toEqual([
      'CUTOVER_TARGETS: choose the target kinds this installation releases to (cloud-run, local, gke-lb)',
      'CUTOVER_HEALTH: choose the health source adapter (local, cloud-monitoring, telemetry)',
      'CUTOVER_TASKS_QUEUE: the Cloud Tasks queue (projects/P/locations/L/queues/Q) for precise timers',
      'CUTOVER_TIMER_URL: the URL of the onTimer function',
      'CUTOVER_TIMER_SERVICE_ACCOUNT: the service account whose OIDC token timer tasks carry',
    ]);
  });

  it.each([
    [{ CUTOVER_ROUTER: 'kubernetes' }, 'CUTOVER_ROUTER'],
    [{ CUTOVER_TARGETS: 'cloud-run,kubernetes' }, 'CUTOVER_TARGETS: no target kind kubernetes'],
    [{ CUTOVER_TASKS_QUEUE: 'my-queue' }, 'CUTOVER_TASKS_QUEUE: projects/P/locations/L/queues/Q'],
    [{ CUTOVER_EFFECT_TIMEOUT: 'soon' }, 'CUTOVER_EFFECT_TIMEOUT'],
  ])('rejects a malformed setting %j', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('refuses what would open onCommand beyond its own people and page', () => {
    const command = { ...base, CUTOVER_COMMAND_AUDIENCE: 'https://r-p.cloudfunctions.net/onCommand' };
    expect(() => loadConfig(command)).toThrow('CUTOVER_ALLOWED_DOMAINS');
    const served = { ...command, CUTOVER_ALLOWED_DOMAINS: 'example.com' };
    expect(loadConfig(served).commands.domains).toEqual(['example.com']);
    for (const origin of ['https://europe-west1-p.cloudfunctions.net', 'http://localhost:8080', 'http://status.example.com']) {
      expect(() => loadConfig({ ...served, CUTOVER_PAGE_ORIGINS: origin }), origin).toThrow('CUTOVER_PAGE_ORIGINS');
    }
    expect(loadConfig({ ...served, CUTOVER_PAGE_ORIGINS: 'https://status.example.com' }).commands.pageOrigins).toEqual(['https://status.example.com']);
    expect(() => loadConfig({ ...served, CUTOVER_PLATFORM: '{"grants":[{"services":[]}]}' })).toThrow('CUTOVER_PLATFORM');
  });

  it('needs a project', () => {
    expect(() => loadConfig({})).toThrow('CUTOVER_PROJECT');
  });
});

describe('functions entry module', () => {
  it('refuses to start without its configuration, naming what is missing', async () => {
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile('node', ['--import', 'tsx', '-e', "await import('./functions/index.ts')"], { env: { PATH: process.env.PATH, METADATA_SERVER_DETECTION: 'none' }, timeout: 30_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
      );
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Cutover configuration is incomplete');
    expect(result.stderr).toContain('CUTOVER_PROJECT');
  });
});
