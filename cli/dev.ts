import { CloudBuildClient } from '@google-cloud/cloudbuild';
import type { Command } from 'commander';
import { grpc } from 'google-gax';
import { releaseIdForBuild } from '../shared/domain/index.js';
import { publishDevAlert, publishDevRelease } from '../local/dev-messages.js';
import { emulatorPubSub } from '../local/pubsub-topology.js';
import { CliError, type CliContext } from './program.js';

/** `cutover dev …`: drive the local stack (npm start) the way Cloud Build and Monitoring would. */
export function addDevCommands(program: Command, ctx: () => Promise<CliContext>, env: () => Record<string, string | undefined>): void {
  const dev = program.command('dev').description('local stack helpers: publish Cloud Build and Monitoring messages to the emulator');
  const project = () => env().CUTOVER_PROJECT ?? 'cutover-local';
  const cloudBuild = () => {
    const endpoint = env().CUTOVER_CLOUD_BUILD_ENDPOINT;
    if (!endpoint) throw new CliError('dev commands need the local stack: run `npm start` (it writes .cutover/local.env)', 2);
    const [host = '127.0.0.1', port = '0'] = endpoint.split(':');
    return new CloudBuildClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), projectId: project() });
  };
  const pubsub = () => {
    const e = env();
    if (!e.PUBSUB_EMULATOR_HOST) throw new CliError('dev commands need the local stack: run `npm start` (it writes .cutover/local.env)', 2);
    return emulatorPubSub(e.CUTOVER_PROJECT ?? 'cutover-local', e.PUBSUB_EMULATOR_HOST);
  };
  dev
    .command('release')
    .description("run the service's build trigger on the local Cloud Build (it publishes QUEUED, WORKING, SUCCESS)")
    .requiredOption('--version <name>', 'version name, e.g. green')
    .option('--service <name>', 'service', 'sample')
    .option('--fail-rate <r>', 'fraction of requests the version fails (0–1)', '0')
    .option('--latency <ms>', 'latency the version adds', '0')
    .option('--branch <name>', 'branch the build is of (the service trusts main)', 'main')
    .action(async (opts: { version: string; service: string; failRate: string; latency: string; branch: string }) => {
      const c = await ctx();
      const client = cloudBuild();
      try {
        const buildId = await publishDevRelease({ client, project: project() }, opts.service, opts.version, { failRate: Number(opts.failRate), latencyMs: Number(opts.latency), branch: opts.branch });
        c.out(`started build ${buildId} of trigger ${opts.service}-main on ${opts.branch}: release ${releaseIdForBuild(opts.service, buildId)} (watch it: cutover status ${opts.service})`);
      } finally {
        await client.close();
      }
    });
  dev
    .command('alert')
    .argument('<service>', 'service the incident is about')
    .option('--closed', 'publish a closed incident instead of an open one')
    .description('publish a Cloud Monitoring incident for the service')
    .action(async (service: string, opts: { closed?: boolean }) => {
      const c = await ctx();
      const client = pubsub();
      try {
        const id = await publishDevAlert(client, service, opts.closed ? 'closed' : 'open');
        c.out(`published ${opts.closed ? 'closed' : 'open'} incident ${id} for ${service}`);
      } finally {
        await client.close();
      }
    });
}
