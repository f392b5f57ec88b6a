import type { CloudBuildClient } from '@google-cloud/cloudbuild';
import type { PubSub } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { TOPICS } from '../shared/topology.js';
import { localImage } from './launcher.js';
import { localPolicyName } from './metric-apis.js';

/**
 * What `cutover dev release` and `cutover dev alert` do: run the service's build trigger on the
 * local Cloud Build API (which builds, pushes a digest and publishes each status on
 * `cloud-builds`, as Cloud Build does) and publish Monitoring-shaped incidents, so a local release
 * enters through the production path, provenance check included.
 */
export interface DevBuilds {
  client: CloudBuildClient;
  project: string;
}

/** The local stack's trigger for a service: builds of `main` carrying its _CUTOVER_SERVICE. */
export const devTrigger = (service: string) => ({ id: `local-${service}-main`, name: `${service}-main`, substitutions: { _CUTOVER_SERVICE: service } });

export async function publishDevRelease(builds: DevBuilds, service: string, version: string, options: { failRate?: number; latencyMs?: number; branch?: string } = {}): Promise<string> {
  const [operation] = await builds.client.runBuildTrigger({
    projectId: builds.project,
    triggerId: devTrigger(service).name,
    source: { branchName: options.branch ?? 'main', substitutions: { _CUTOVER_IMAGE: localImage(version, options) } },
  });
  const id = (operation.metadata as { build?: { id?: string } } | null)?.build?.id;
  if (!id) throw new Error(`the local Cloud Build started no build for ${service}`);
  return id;
}

/** Publishes a Monitoring-shaped incident; pass the id of an earlier one to repeat it, as Monitoring and publisher retries do. */
export async function publishDevAlert(pubsub: PubSub, service: string, state: 'open' | 'closed' = 'open', incidentId = `dev-${randomUUID().slice(0, 8)}`): Promise<string> {
  await pubsub.topic(TOPICS.alerts).publishMessage({
    json: {
      version: '1.2',
      incident: {
        incident_id: incidentId,
        state,
        started_at: Math.floor(Date.now() / 1000),
        ended_at: state === 'closed' ? Math.floor(Date.now() / 1000) : null,
        summary: `dev alert for ${service}`,
        // The local service's policy, as the local AlertPolicyService knows it: onAlert checks it there.
        policy_name: `${service} 5xx ratio`,
        policy_user_labels: {},
        condition: { name: `${localPolicyName(pubsub.projectId, service)}/conditions/ratio`, displayName: 'ratio' },
        resource: { type: 'cloud_run_revision', labels: { service_name: service } },
      },
    },
  });
  return incidentId;
}
