import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { TOPICS } from '../shared/topology.js';
import { localImage } from './launcher.js';

/**
 * What `cutover dev release` and `cutover dev alert` publish: Cloud Build–shaped status messages
 * and Monitoring-shaped incidents, so a local release enters through the production path.
 */
export function devBuild(service: string, version: string, status: string, buildId: string, options: { failRate?: number; latencyMs?: number }) {
  const image = localImage(version, options);
  return {
    id: buildId,
    projectId: 'cutover-local',
    status,
    substitutions: { _CUTOVER_SERVICE: service, _CUTOVER_IMAGE: image, COMMIT_SHA: `dev-${version}` },
    images: [image],
    sourceProvenance: { resolvedRepoSource: { commitSha: `dev-${version}` } },
    createTime: new Date().toISOString(),
  };
}

export async function publishDevRelease(pubsub: PubSub, service: string, version: string, options: { failRate?: number; latencyMs?: number } = {}): Promise<string> {
  const buildId = randomUUID();
  for (const status of ['QUEUED', 'WORKING', 'SUCCESS']) {
    await pubsub.topic(TOPICS.cloudBuilds).publishMessage({ json: devBuild(service, version, status, buildId, options), attributes: { buildId, status } });
    // A real build spends time between statuses; back-to-back messages would only contend on one document.
    if (status !== 'SUCCESS') await new Promise((r) => setTimeout(r, 150));
  }
  return buildId;
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
        policy_name: `${service} dev alert`,
        policy_user_labels: { 'cutover-service': service },
        resource: { type: 'cloud_run_revision', labels: { service_name: service } },
      },
    },
  });
  return incidentId;
}
