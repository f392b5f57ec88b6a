/** Real-shaped messages: Cloud Build Build resources, Monitoring incidents, and the three HTTP envelopes. */
export interface PubsubPayload {
  data: unknown;
  attributes?: Record<string, string>;
  messageId: string;
}

export function buildResource(options: { id: string; status: string; service?: string | null; image?: string; digest?: string; commit?: string }) {
  const image = options.image ?? 'europe-west1-docker.pkg.dev/demo-project/apps/checkout';
  // Shaped as a build of the service's trusted trigger on main (fixtures' serviceConfigInput `source`).
  const substitutions: Record<string, string> = { COMMIT_SHA: options.commit ?? 'abc123', SHORT_SHA: 'abc123', REPO_NAME: 'checkout', TRIGGER_NAME: 'checkout-main', BRANCH_NAME: 'main' };
  if (options.service !== null) substitutions._CUTOVER_SERVICE = options.service ?? 'checkout';
  substitutions._CUTOVER_IMAGE = `${image}:${options.commit ?? 'abc123'}`;
  return {
    id: options.id,
    projectId: 'demo-project',
    status: options.status,
    buildTriggerId: 'trig-checkout-main',
    substitutions,
    images: [`${image}:${options.commit ?? 'abc123'}`],
    results:
      options.status === 'SUCCESS'
        ? { images: [{ name: `${image}:${options.commit ?? 'abc123'}`, digest: options.digest ?? `sha256:${'0123456789abcdef'.repeat(4)}` }] }
        : undefined,
    sourceProvenance: { resolvedRepoSource: { commitSha: options.commit ?? 'abc123' } },
    createTime: '2026-11-27T12:00:00Z',
    logUrl: 'https://console.cloud.google.com/cloud-build/builds/x',
  };
}

/** An incident as Cloud Monitoring delivers it; `policyId` names the policy in the condition's resource name (checkout's by default). */
export function incidentNotification(options: { id: string; state?: string; policy?: string; policyId?: string | null; labels?: Record<string, string>; serviceName?: string; endedAt?: unknown }) {
  const policyId = options.policyId === undefined ? 'projects/demo-project/alertPolicies/checkout-5xx' : options.policyId;
  return {
    version: '1.2',
    incident: {
      incident_id: options.id,
      scoping_project_id: 'demo-project',
      url: 'https://console.cloud.google.com/monitoring/alerting/incidents/x',
      started_at: 1_700_000_000,
      ended_at: options.endedAt ?? null,
      state: options.state ?? 'open',
      summary: 'Error ratio for checkout is above 5%',
      policy_name: options.policy ?? 'checkout 5xx ratio',
      policy_user_labels: options.labels ?? {},
      condition_name: 'ratio',
      ...(policyId === null ? {} : { condition: { name: `${policyId}/conditions/ratio`, displayName: 'ratio' } }),
      resource: { type: 'cloud_run_revision', labels: { service_name: options.serviceName ?? 'unrelated', location: 'europe-west1' } },
    },
  };
}

const b64 = (data: unknown) => Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64');

export function pushBody(p: PubsubPayload) {
  return { message: { data: b64(p.data), attributes: p.attributes ?? {}, messageId: p.messageId, publishTime: '2026-11-27T12:00:00Z' }, subscription: 'projects/demo-project/subscriptions/s' };
}

export function binaryRequest(p: PubsubPayload): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-id': p.messageId,
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': '//pubsub.googleapis.com/projects/demo-project/topics/cloud-builds',
    },
    body: JSON.stringify(pushBody(p)),
  };
}

export function structuredRequest(p: PubsubPayload): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      id: p.messageId,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: '//pubsub.googleapis.com/projects/demo-project/topics/cloud-builds',
      datacontenttype: 'application/json',
      data: pushBody(p),
    }),
  };
}

export function pushRequest(p: PubsubPayload): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(pushBody(p)) };
}
