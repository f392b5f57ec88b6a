import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { COMMANDS, ServiceConfigError, dayOf, dayWindow, keysFromDays, parseDuration, parseServiceConfig, wavesOf, type CommandName, type Release } from '../shared/domain/index.js';
import { statsRows } from '../shared/views/rows.js';
import { pipelineRows, pipelineStages } from '../shared/views/pipeline.js';
import type { ReleaseStore } from '../shared/ports/index.js';
import type { CommandClient } from './command-client.js';
import { addDevCommands } from './dev.js';
import { addPolicyCommands } from './policies.js';
import { analysisText, historyTable, rejectedTable, releasesTable, servicesTable, table } from './format.js';
import { latestAnalysis, recordedAnalyses } from '../shared/views/analysis.js';

import { plainLine, renderWatch, type WatchSnapshot } from './watch-view.js';

const DAY = 86_400_000;

/** What the CLI needs from the world; main.ts wires it from the environment, tests pass fakes. */
export interface CliContext {
  /** Reads: the release state in Firestore. */
  store: ReleaseStore;
  /** Writes: onCommand, with the user's ID token (null when CUTOVER_COMMAND_URL is not set). */
  commands: CommandClient | null;
  clock: () => number;
  out: (text: string) => void;
  err: (text: string) => void;
  /** stdout is a terminal: the live view redraws with colours. */
  tty?: boolean;
  /** For long-running commands: true once the user asked to stop. */
  stopped?: () => boolean;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const COMMAND_HELP: Record<CommandName, string> = {
  promote: 'skip the remaining steps and send 100% to the candidate',
  approve: 'approve the 100% step of a release waiting for approval',
  pause: 'hold the release at its current step (a breach still rolls back)',
  resume: 'resume a paused release',
  abort: 'roll an in-flight release back to stable',
  rollback: 'roll a completed release back to the previous stable, inside its watch window',
};

export function buildProgram(ctx: () => Promise<CliContext>, env: () => Record<string, string | undefined> = () => ({})): Command {
  const program = new Command('cutover')
    .description('Blue/green releases on Google Cloud: read and steer the release state in Firestore')
    .option('--json', 'print JSON for scripts instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  const json = () => program.opts<{ json?: boolean }>().json === true;
  const print = (c: CliContext, data: unknown, text: string) => c.out(json() ? JSON.stringify(data, null, 2) : text);

  const services = program.command('services').description('register and list services');
  services
    .command('apply')
    .argument('<file>', 'service config YAML')
    .description('create or update a service from its YAML config')
    .action(async (file: string) => {
      const c = await ctx();
      let source: unknown;
      try {
        source = parseYaml(await readFile(file, 'utf8'));
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, 2);
      }
      try {
        // Checked here first for a quick answer; onCommand checks again and decides.
        parseServiceConfig(source);
      } catch (error) {
        if (error instanceof ServiceConfigError) throw new CliError(`${file}: ${error.message}`, 2);
        throw error;
      }
      const answer = await command(c, { command: 'apply', config: source });
      const applied = answer.service as { name: string; config: { steps: number[]; router: { kind: string } } };
      const warnings = (answer.warnings as string[] | undefined) ?? [];
      print(c, answer, [`service ${applied.name} applied by ${String(answer.actor)} (steps ${applied.config.steps.join('/')}, router ${applied.config.router.kind})`, ...warnings.map((w) => `warning: ${w}`)].join('\n'));
    });
  services
    .command('rebuild-stats')
    .argument('<service>', 'service name')
    .description('rebuild the kept four keys from the releases (after an upgrade from a version that did not keep them); owners only')
    .action(async (service: string) => {
      const c = await ctx();
      let cursor: string | null = null;
      let releases = 0;
      let last: Record<string, unknown> = {};
      do {
        last = await command(c, { command: 'rebuild-stats', service, cursor });
        releases += Number(last.releases ?? 0);
        cursor = typeof last.next === 'string' ? last.next : null;
      } while (cursor !== null);
      print(c, { ...last, releases }, `delivery figures of ${service} rebuilt from ${releases} release${releases === 1 ? '' : 's'} by ${String(last.actor)}`);
    });
  services
    .command('list')
    .description('list registered services')
    .action(async () => {
      const c = await ctx();
      const list = await c.store.listServices();
      print(c, list, list.length ? servicesTable(list) : 'no services yet: cutover services apply FILE');
    });

  program
    .command('status')
    .argument('[service]', 'one service; all when omitted')
    .option('-n, --limit <n>', 'releases per service', '5')
    .description('show releases: phase, traffic, health and the last decision')
    .action(async (service: string | undefined, opts: { limit: string }) => {
      const c = await ctx();
      const one = service ? await c.store.getService(service) : null;
      if (service && !one) throw new CliError(`service ${service} is not registered`);
      const services = one ? [one] : await c.store.listServices();
      // A release in several regions lists one release per region besides its own.
      const limit = (s: (typeof services)[number]) => (Number(opts.limit) || 5) * (1 + wavesOf(s.config).flat().length);
      const releases = (await Promise.all(services.map((s) => c.store.listReleases(s.name, limit(s))))).flat();
      print(c, releases, releases.length ? releasesTable(releases) : 'no releases yet');
    });

  program
    .command('pipeline')
    .argument('<service>', 'any stage of the pipeline')
    .option('-n, --limit <n>', 'releases per stage', '10')
    .description('environments in order: where each build stands in every stage (soaking, awaiting approval, complete, revoked)')
    .action(async (service: string, opts: { limit: string }) => {
      const c = await ctx();
      const services = await c.store.listServices();
      if (!services.some((s) => s.name === service)) throw new CliError(`service ${service} is not registered`);
      const stages = pipelineStages(services, service);
      const releases = (await Promise.all(stages.map((s) => c.store.listReleases(s, Number(opts.limit) || 10)))).flat();
      const rows = pipelineRows(stages, releases);
      print(c, { stages, releases }, rows.rows.length ? `${stages.join(' → ')}\n${table(rows)}` : `${stages.join(' → ')}\nno builds yet`);
    });

  program
    .command('history')
    .argument('<release>', 'release id')
    .option('-n, --limit <n>', 'newest entries to show', '100')
    .description('the audit trail of one release: every decision with its reason')
    .action(async (releaseId: string, opts: { limit: string }) => {
      const c = await ctx();
      if (!(await c.store.getRelease(releaseId))) throw new CliError(`release ${releaseId} not found`);
      const entries = await c.store.history(releaseId, Number(opts.limit) || 100);
      print(c, entries, historyTable(entries));
    });

  program
    .command('analysis')
    .argument('<release>', 'release id')
    .option('--all', 'every analysis the history recorded, not only the newest')
    .option('-n, --limit <n>', 'history entries to read with --all', '200')
    .description('the judge\'s figures behind the release\'s verdicts: per metric both arms, the limit, samples, p-value and level')
    .action(async (releaseId: string, opts: { all?: boolean; limit: string }) => {
      const c = await ctx();
      const release = await c.store.getRelease(releaseId);
      if (!release) throw new CliError(`release ${releaseId} not found`);
      const latest = latestAnalysis(release);
      const list = opts.all ? [...recordedAnalyses(await c.store.history(releaseId, Number(opts.limit) || 200)), ...(latest ? [latest] : [])] : latest ? [latest] : [];
      if (json()) return c.out(JSON.stringify(opts.all ? list : (list[0] ?? null), null, 2));
      if (list.length === 0) return c.out(`release ${releaseId} has no analysis yet (it has not been measured)`);
      c.out(list.map(analysisText).join('\n\n'));
    });

  program
    .command('rejected')
    .option('-n, --limit <n>', 'newest entries to show', '20')
    .description('input Cutover acknowledged but could not use (malformed, foreign, unknown service), with the reason')
    .action(async (opts: { limit: string }) => {
      const c = await ctx();
      const list = await c.store.listRejected(Number(opts.limit) || 20);
      print(c, list, list.length ? rejectedTable(list) : 'no rejected input');
    });

  program
    .command('stats')
    .argument('[service]', 'one service; all when omitted')
    .option('--since <duration>', 'the window, back from now (e.g. 30d, 7d, 12h)', '30d')
    .description('DORA four keys: deployment frequency, lead time, change failure rate, time to restore (docs/analytics.md)')
    .action(async (service: string | undefined, opts: { since: string }) => {
      const c = await ctx();
      const since = parseDuration(opts.since.replace(/(\d+)d$/, (_, d: string) => `${Number(d) * 24}h`));
      if (since === null || since <= 0) throw new CliError(`--since ${opts.since}: not a duration (30d, 7d, 12h)`, 2);
      const names = service ? [service] : (await c.store.listServices()).map((s) => s.name);
      if (service && !(await c.store.getService(service))) throw new CliError(`service ${service} is not registered`);
      // The kept figures are per UTC day: the window is the whole days that cover --since, today included.
      const days = Math.max(1, Math.ceil(since / DAY));
      const { from, to } = dayWindow(c.clock(), days);
      const stats = await Promise.all(names.map(async (name) => ({ service: name, keys: keysFromDays(await c.store.deliveryDays(name, dayOf(from), dayOf(to - 1)), from, to) })));
      const window = `${dayOf(from)} to ${dayOf(to - 1)} (UTC), ${days} day${days === 1 ? '' : 's'}`;
      print(c, stats, stats.length ? `${table(statsRows(stats))}\n(${window}; lead time from build creation; restore from the incident's start, else the rollback decision)` : 'no services yet');
    });

  program
    .command('watch')
    .argument('[service]', 'one service; all when omitted')
    .option('--interval <ms>', 'refresh interval', '1000')
    .option('--once', 'print the current state once and exit')
    .description('live view of releases: phase, step, traffic, health (redraws on a terminal, plain lines otherwise)')
    .action(async (service: string | undefined, opts: { interval: string; once?: boolean }) => {
      const c = await ctx();
      await watch(c, service, Number(opts.interval) || 1000, opts.once === true);
    });

  for (const name of COMMANDS) {
    program
      .command(name)
      .argument('<release>', 'release id')
      .option('-r, --reason <text>', 'why, recorded in the history')
      .description(COMMAND_HELP[name])
      .action(async (releaseId: string, opts: { reason?: string }) => {
        await steer(await ctx(), name, releaseId, opts.reason ?? null, print);
      });
  }
  addPolicyCommands(program, async (body) => {
    const c = await ctx();
    return { answer: await command(c, body), print: (data, text) => print(c, data, text) };
  });
  addDevCommands(program, ctx, env);
  return program;
}

/** Exit codes of a refusal by onCommand: 1 not found, 2 invalid, 3 rejected by the release's state, 4 not authenticated or not allowed, 5 unavailable. */
const EXIT_FOR_STATUS: Record<number, number> = { 400: 2, 401: 4, 403: 4, 404: 1, 409: 3, 503: 5 };

async function command(c: CliContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!c.commands) throw new CliError('steering goes through onCommand: set CUTOVER_COMMAND_URL (terraform output command_url; npm start sets it for the local stack)', 2);
  let answer;
  try {
    answer = await c.commands.send(body, randomUUID());
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new CliError(`cannot reach onCommand (CUTOVER_COMMAND_URL): ${cause ?? (error instanceof Error ? error.message : String(error))}`, 5);
  }
  const { status, json } = answer;
  if (status === 200) return json;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const what = `${text(body.command)}${body.release ? ` ${text(body.release)}` : ''}`;
  const why = text(json.error) || `HTTP ${status}`;
  throw new CliError(status === 409 ? `${what} rejected: ${why}` : `${what}: ${why}`, EXIT_FOR_STATUS[status] ?? 1);
}

async function steer(c: CliContext, name: CommandName, releaseId: string, why: string | null, print: (c: CliContext, data: unknown, text: string) => void): Promise<void> {
  const answer = await command(c, { command: name, release: releaseId, ...(why ? { reason: why } : {}) });
  const release = answer.release as Release | null;
  const outcome = answer.outcome as { message: string } | undefined;
  print(c, answer, `${name} ${releaseId} by ${String(answer.actor)}: ${outcome?.message ?? release?.lastDecision.message ?? ''} — now ${release?.state.phase ?? '?'}`);
}

export { CommanderError };

export async function snapshotOf(store: ReleaseStore, service: string | undefined, perService = 3): Promise<WatchSnapshot> {
  const services = service ? [await store.getService(service)].filter((s) => s !== null) : await store.listServices();
  if (service && services.length === 0) throw new CliError(`service ${service} is not registered`);
  return { services: await Promise.all(services.map(async (s) => ({ service: s, releases: await store.listReleases(s.name, perService) }))) };
}

async function watch(c: CliContext, service: string | undefined, intervalMs: number, once: boolean): Promise<void> {
  const tty = c.tty === true && !once;
  const last = new Map<string, string>();
  for (;;) {
    const snapshot = await snapshotOf(c.store, service);
    if (tty) {
      c.out(`\x1b[H\x1b[2J${renderWatch(snapshot, true, c.clock())}`);
    } else {
      for (const { service: s, releases } of snapshot.services) {
        const newest = releases[0];
        if (!newest) continue;
        const line = plainLine(newest, s);
        if (last.get(s.name) !== line) c.out(`${new Date(c.clock()).toISOString()} ${line}`);
        last.set(s.name, line);
      }
    }
    if (once || c.stopped?.()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
