import type { Command } from 'commander';
import { table } from './format.js';

type Print = (data: unknown, text: string) => void;
/** Sends a body to onCommand; answers what it said and how to print for this invocation (--json or text). */
type Send = (body: Record<string, unknown>) => Promise<{ answer: Record<string, unknown>; print: Print }>;

interface PolicyRow {
  name: string;
  scope: string;
  active: boolean;
  until: string | null;
  blocks: string[];
  applies: string;
  timeZone: string;
  overrideRole: string;
}

/**
 * `cutover policies SERVICE` (the deploy policies over a service, and which are in force) and
 * `cutover override RELEASE --policy P --reason R` (lets one release past one policy; audited).
 * Both go through onCommand, like every other command.
 */
export function addPolicyCommands(program: Command, send: Send): void {
  program
    .command('policies')
    .argument('<service>', 'service name')
    .description('deploy policies over a service: freezes and release hours, whether each is in force now, and who may override it')
    .action(async (service: string) => {
      const { answer, print } = await send({ command: 'policies', service });
      const rows = (answer.policies as PolicyRow[]).map((p) => [
        p.name,
        p.scope,
        p.active ? `IN FORCE${p.until ? ` until ${p.until}` : ''}` : `off${p.until ? ` (next ${p.until})` : ''}`,
        p.blocks.join('+'),
        `${p.applies} windows (${p.timeZone})`,
        p.overrideRole,
      ]);
      print(answer, rows.length ? table({ headers: ['POLICY', 'SCOPE', 'NOW', 'BLOCKS', 'WHEN', 'OVERRIDE'], rows }) : `no deploy policy covers ${service}`);
    });
  program
    .command('override')
    .argument('<release>', 'release id')
    .requiredOption('--policy <name>', 'the deploy policy to let this release past')
    .requiredOption('-r, --reason <text>', 'why (recorded in the history and the audit log)')
    .description('let one release past one deploy policy (needs the role the policy names)')
    .action(async (release: string, opts: { policy: string; reason: string }) => {
      const body = { command: 'override', release, policy: opts.policy, reason: opts.reason };
      const { answer, print } = await send(body);
      const outcome = answer.outcome as { message?: string } | undefined;
      const after = answer.release as { phase?: string } | null;
      print(answer, `override ${release} by ${String(answer.actor)}: ${outcome?.message ?? ''} — now ${after?.phase ?? '?'}`);
    });
}
