import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../functions/register.js';
import { SUBSCRIPTIONS, TELEMETRY_SUBSCRIPTION, TOPICS } from '../../shared/topology.js';
import { TELEMETRY_COLLECTION } from '../../shared/adapters/firestore/telemetry-store.js';
import { notificationPayload } from '../../shared/adapters/gcp/pubsub-notifier.js';

/** infra/ parsed with a real HCL parser (no terraform binary here), then its wiring checked. */
type Block = Record<string, unknown>;
interface Module {
  resource: Record<string, Record<string, Block[]>>;
  variable: Record<string, Block[]>;
  locals: Block[];
  output: Record<string, Block[]>;
}

const files = readdirSync('infra').filter((f) => f.endsWith('.tf'));
let mod: Module;
let text = '';

beforeAll(async () => {
  mod = { resource: {}, variable: {}, locals: [], output: {} };
  for (const file of files) {
    const content = readFileSync(join('infra', file), 'utf8');
    text += content;
    const json = (await parse(file, content)) as Partial<Module>;
    for (const [type, byName] of Object.entries(json.resource ?? {})) mod.resource[type] = { ...mod.resource[type], ...byName };
    Object.assign(mod.variable, json.variable ?? {});
    Object.assign(mod.output, json.output ?? {});
    mod.locals.push(...(json.locals ?? []));
  }
});

const res = (type: string, name: string): Block => {
  const block = mod.resource[type]?.[name]?.[0];
  if (!block) throw new Error(`infra has no ${type}.${name}`);
  return block;
};
const local = (name: string): unknown => mod.locals.find((l) => name in l)?.[name];
/** "${google_pubsub_topic.alerts.id}" → the topic resource's name attribute. */
const topicNameOf = (ref: string): string => {
  const match = /^\$\{google_pubsub_topic\.([a-z_]+)\.(id|name)\}$/.exec(ref);
  if (!match?.[1]) throw new Error(`${ref} is not a reference to a topic defined here`);
  return String(res('google_pubsub_topic', match[1]).name);
};

describe('infra/ (Terraform, parsed with @cdktf/hcl2json)', () => {
  it('parses every .tf file', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(mod.resource).length).toBeGreaterThan(10);
  });

  it('defines the topics the code uses, with the same names', () => {
    const names = Object.values(mod.resource.google_pubsub_topic ?? {}).map((b) => b[0]?.name);
    for (const topic of Object.values(TOPICS)) expect(names).toContain(topic);
  });

  it("wires each function's push subscription to an existing topic, matching shared/topology.ts", () => {
    const pushes = local('pushes') as Record<string, { topic: string; function: string }>;
    const functions = local('functions');
    for (const sub of SUBSCRIPTIONS) {
      const entry = pushes[sub.name];
      expect(entry, `subscription ${sub.name}`).toBeDefined();
      expect(entry?.function).toBe(sub.fn);
      expect(topicNameOf(entry?.topic ?? '')).toBe(sub.topic);
      expect(String(functions)).toContain(sub.fn);
    }
    const push = res('google_pubsub_subscription', 'push');
    expect(push.for_each).toBe('${local.pushes}');
    expect(push.topic).toBe('${each.value.topic}');
    expect(JSON.stringify(push.push_config)).toContain('google_cloudfunctions2_function.fn[each.value.function]');
  });

  it('deploys every entry point the code registers', () => {
    for (const name of FUNCTION_NAMES) expect(String(local('functions'))).toContain(`"${name}"`);
    const fn = res('google_cloudfunctions2_function', 'fn');
    expect(JSON.stringify(fn.build_config)).toContain('"entry_point":"${each.value}"');
    expect(JSON.stringify(fn.build_config)).toContain('nodejs22');
  });

  it('opens the status page only to the viewers the variables name', () => {
    const viewers = res('google_cloud_run_service_iam_member', 'status_page_viewers');
    expect(viewers).toMatchObject({ for_each: '${toset(var.status_page_viewers)}', role: 'roles/run.invoker', member: '${each.value}' });
    expect(String(viewers.service)).toContain('google_cloudfunctions2_function.fn["statusPage"]');
    expect(mod.variable.status_page_viewers?.[0]?.default).toEqual([]);
    // It runs under its own identity, which may only read Cutover's database; the pusher cannot call it.
    const fn = res('google_cloudfunctions2_function', 'fn');
    expect(JSON.stringify(fn.service_config)).toContain('each.value == \\"statusPage\\" ? google_service_account.status_page.email');
    const reads = res('google_project_iam_member', 'status_page_firestore');
    expect(reads).toMatchObject({ role: 'roles/datastore.viewer', member: 'serviceAccount:${google_service_account.status_page.email}' });
    expect(JSON.stringify(reads.condition)).toContain('local.cutover_database_only');
    expect(String(local('cutover_database_only'))).toContain('databases/${var.firestore_database_id}');
    expect(JSON.stringify(res('google_project_iam_member', 'functions_firestore').condition)).toContain('local.cutover_database_only');
    const statusPageRoles = Object.values(mod.resource.google_project_iam_member ?? {}).filter(([b]) => String(b?.member).includes('status_page'));
    expect(statusPageRoles.map(([b]) => b?.role)).toEqual(['roles/datastore.viewer']);
    expect(res('google_cloud_run_service_iam_member', 'pusher_invokes').for_each).toBe('${setsubtract(local.functions, ["statusPage", "onCommand"])}');
  });

  it('gives every subscription a dead-letter topic defined here', () => {
    const subs = mod.resource.google_pubsub_subscription ?? {};
    for (const [name, [sub]] of Object.entries(subs)) {
      if (name === 'dead_letter_keep') continue; // the dead-letter topic's own keeper
      const policy = (sub?.dead_letter_policy as Block[] | undefined)?.[0];
      expect(policy, `subscription ${name} has no dead_letter_policy`).toBeDefined();
      expect(topicNameOf(String(policy?.dead_letter_topic))).toBe('cutover-dead-letter');
      expect(Number(policy?.max_delivery_attempts)).toBeGreaterThanOrEqual(5);
    }
  });

  it('uses no primitive role anywhere', () => {
    expect(text).not.toMatch(/roles\/(owner|editor|viewer)"/);
    const roles = [...text.matchAll(/role\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(roles.length).toBeGreaterThan(5);
    for (const role of roles) expect(role).toMatch(/^roles\/[a-z]+(\.[A-Za-z]+)+$/);
  });

  it('documents every variable', () => {
    for (const [name, [variable]] of Object.entries(mod.variable)) {
      expect(typeof variable?.description === 'string' ? variable.description : '', `variable ${name}`).toMatch(/\w{3,}.*\./);
      expect(variable?.type, `variable ${name} has a type`).toBeDefined();
    }
  });

  it('creates the Firestore database with TTL on dedup and rejected records and the status index', () => {
    expect(res('google_firestore_database', 'cutover').name).toBe('${var.firestore_database_id}');
    expect(res('google_firestore_field', 'processed_events_ttl')).toMatchObject({ collection: 'processedEvents', field: 'expireAt' });
    expect(res('google_firestore_field', 'rejected_events_ttl')).toMatchObject({ collection: 'rejectedEvents', field: 'expireAt' });
    expect(JSON.stringify(res('google_firestore_index', 'releases_by_service').fields)).toMatch(/service.*ASCENDING.*createdAt.*DESCENDING/);
    expect(res('google_firestore_field', 'telemetry_ttl')).toMatchObject({ collection: TELEMETRY_COLLECTION, field: 'expireAt' });
    expect(JSON.stringify(res('google_firestore_index', 'telemetry_by_revision').fields)).toMatch(/service.*revision.*start/);
  });

  it('lets the functions update their own sink only, through a custom role, never logging.configWriter', () => {
    expect(text).not.toContain('roles/logging.configWriter');
    const role = res('google_project_iam_custom_role', 'sink_filter');
    expect(role.permissions).toEqual(['logging.sinks.get', 'logging.sinks.update']);
    const grant = res('google_project_iam_member', 'functions_sink_filter');
    expect(grant.role).toBe('${google_project_iam_custom_role.sink_filter.id}');
    expect(JSON.stringify(grant.condition)).toContain('google_logging_project_sink.candidate_requests.name');
  });

  it('serves the page from its own origin only, and tells onCommand the clients and domains it serves', () => {
    const env = JSON.stringify(mod.locals);
    expect(env).not.toMatch(/PAGE_ORIGINS[^,]*cloudfunctions\.net/);
    expect(mod.variable.page_origins?.[0]?.default).toEqual([]);
    for (const name of ['CUTOVER_ALLOWED_DOMAINS', 'CUTOVER_OAUTH_CLIENTS', 'CUTOVER_PLATFORM', 'CUTOVER_COMMAND_RATE']) expect(env).toContain(name);
  });

  it('lets Cloud Monitoring publish incidents to the alerts topic, and the example policy names its service', () => {
    const channel = res('google_monitoring_notification_channel', 'cutover');
    expect(channel.type).toBe('pubsub');
    expect(topicNameOf(String((channel.labels as Block).topic))).toBe(TOPICS.alerts);
    const publisher = res('google_pubsub_topic_iam_binding', 'monitoring_publishes_alerts');
    expect(topicNameOf(String(publisher.topic))).toBe(TOPICS.alerts);
    expect(publisher.members).toEqual([expect.stringContaining('gcp-sa-monitoring-notification')]);
    const policy = res('google_monitoring_alert_policy', 'run_5xx_ratio');
    expect(policy.user_labels).toEqual({ 'cutover-service': '${var.example_alert_service}' });
    expect(policy.notification_channels).toEqual(['${google_monitoring_notification_channel.cutover.id}']);
  });

  it('lets only the Cloud Build and Monitoring service agents publish on their topics (authoritative bindings)', () => {
    const builds = res('google_pubsub_topic_iam_binding', 'cloud_builds_publishers');
    expect(topicNameOf(String(builds.topic))).toBe(TOPICS.cloudBuilds);
    expect(builds).toMatchObject({ role: 'roles/pubsub.publisher', members: ['serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudbuild.iam.gserviceaccount.com'] });
    // No other publisher grant on either topic.
    const publishers = Object.values(mod.resource.google_pubsub_topic_iam_member ?? {}).filter(([b]) => b?.role === 'roles/pubsub.publisher');
    for (const [b] of publishers) expect(String(b?.topic)).not.toMatch(/cloud_builds|alerts/);
  });

  it('gives people read-only access to the state, audits every Firestore write, and tells onCommand its audience and admins', () => {
    expect(res('google_project_iam_member', 'state_readers')).toMatchObject({ for_each: '${toset(var.state_readers)}', role: 'roles/datastore.viewer', member: '${each.value}' });
    const writers = Object.values(mod.resource.google_project_iam_member ?? {}).filter(([b]) => b?.role === 'roles/datastore.user');
    expect(writers.map(([b]) => b?.member)).toEqual(['serviceAccount:${google_service_account.functions.email}']);
    const audit = res('google_project_iam_audit_config', 'firestore_data_access');
    expect(audit.service).toBe('datastore.googleapis.com');
    expect((audit.audit_log_config as Block[]).map((c) => c.log_type)).toContain('DATA_WRITE');
    const env = local('function_env') as Record<string, string>;
    expect(env.CUTOVER_COMMAND_AUDIENCE).toContain('local.command_url');
    expect(env.CUTOVER_ADMINS).toContain('var.platform_admins');
    expect(String(local('command_url'))).toMatch(/cloudfunctions\.net\/onCommand$/);
  });

  it('streams candidate request logs: sink → topic (its writer the only publisher) → the pull subscription the functions drain', () => {
    const sink = res('google_logging_project_sink', 'candidate_requests');
    expect(sink.destination).toBe('pubsub.googleapis.com/${google_pubsub_topic.request_logs.id}');
    expect(String(sink.filter)).toContain('run.googleapis.com%2Frequests');
    expect(sink.unique_writer_identity).toBe(true);
    expect(JSON.stringify(sink.lifecycle)).toContain('filter');
    expect(res('google_pubsub_topic', 'request_logs').name).toBe(TOPICS.requestLogs);
    expect(res('google_pubsub_topic_iam_binding', 'request_logs_publishers').members).toBe('${concat([google_logging_project_sink.candidate_requests.writer_identity], var.request_log_writers)}');
    const sub = res('google_pubsub_subscription', 'telemetry');
    expect(sub.name).toBe(TELEMETRY_SUBSCRIPTION);
    expect(sub.push_config).toBeUndefined();
    expect(res('google_pubsub_subscription_iam_member', 'functions_pull_telemetry').member).toBe('serviceAccount:${google_service_account.functions.email}');
    expect((local('function_env') as Record<string, string>).CUTOVER_TELEMETRY_SUBSCRIPTION).toBe('${google_pubsub_subscription.telemetry.id}');
  });

  it('ticks every minute on the ticks topic and has the timers queue the functions are told about', () => {
    const job = res('google_cloud_scheduler_job', 'tick');
    expect(topicNameOf(String((job.pubsub_target as Block[])[0]?.topic_name))).toBe(TOPICS.ticks);
    const env = local('function_env') as Record<string, string>;
    expect(env).toMatchObject({ CUTOVER_TARGETS: 'cloud-run', CUTOVER_HEALTH: 'telemetry', CUTOVER_NOTIFIER: 'pubsub', CUTOVER_SCHEDULER: 'cloud-tasks' });
    expect(env.CUTOVER_TASKS_QUEUE).toBe('${google_cloud_tasks_queue.timers.id}');
    expect(env.CUTOVER_DATABASE).toBe('${var.firestore_database_id}');
  });

  it('exports every release event to BigQuery through a native subscription whose table has a column for each payload field', () => {
    const sub = res('google_pubsub_subscription', 'events_to_bigquery');
    expect(topicNameOf(String(sub.topic))).toBe(TOPICS.events);
    expect((sub.bigquery_config as Block[])[0]).toMatchObject({ use_table_schema: true, drop_unknown_fields: true, write_metadata: true });
    expect(String((sub.bigquery_config as Block[])[0]?.table)).toContain('google_bigquery_table.release_events');
    const table = res('google_bigquery_table', 'release_events');
    expect(String(table.schema)).toContain('bigquery/release_events.schema.json');
    const columns = (JSON.parse(readFileSync('infra/bigquery/release_events.schema.json', 'utf8')) as { name: string; type: string }[]);
    const byName = new Map(columns.map((c) => [c.name, c.type]));
    const payload = notificationPayload({ kind: 'notify', type: 'release.rolled_back', releaseId: 'r', service: 's', phase: 'rolled_back', reason: 'RolledBack', message: 'm', trafficPercent: 0, at: 0 });
    for (const field of Object.keys(payload)) expect(byName.has(field), `column for payload field ${field}`).toBe(true);
    for (const meta of ['message_id', 'publish_time', 'attributes', 'subscription_name']) expect(byName.has(meta), `metadata column ${meta}`).toBe(true);
    expect(byName.get('publish_time')).toBe('TIMESTAMP');
    expect(byName.get('leadTimeMs')).toBe('INTEGER');
    // Pub/Sub's service agent writes the rows; it may read the schema and insert, nothing more.
    const roles = res('google_bigquery_table_iam_member', 'pubsub_writes_events');
    expect(String(roles.for_each)).toContain('roles/bigquery.dataEditor');
    expect(String(roles.for_each)).toContain('roles/bigquery.metadataViewer');
    expect(String(roles.member)).toBe('${local.pubsub_agent}');
  });

  it('pushes release events to notifyChat, and lets the functions read only the chat webhook secrets it creates', () => {
    const pushes = local('pushes') as Record<string, { topic: string; function: string }>;
    expect(pushes['cutover-notify-chat']?.function).toBe('notifyChat');
    expect(topicNameOf(pushes['cutover-notify-chat']?.topic ?? '')).toBe(TOPICS.events);
    const secret = res('google_secret_manager_secret', 'chat_webhook');
    expect(secret.for_each).toBe('${toset(var.chat_webhook_secrets)}');
    expect(mod.variable.chat_webhook_secrets?.[0]?.default).toEqual([]);
    const access = res('google_secret_manager_secret_iam_member', 'functions_read_chat_webhook');
    expect(access).toMatchObject({ for_each: '${google_secret_manager_secret.chat_webhook}', role: 'roles/secretmanager.secretAccessor', member: 'serviceAccount:${google_service_account.functions.email}' });
    // Only the control plane publishes release events (authoritative), so chat is told only what Cutover said.
    expect(res('google_pubsub_topic_iam_binding', 'events_publishers')).toMatchObject({ role: 'roles/pubsub.publisher', members: ['serviceAccount:${google_service_account.functions.email}'] });
    expect(topicNameOf(String(res('google_pubsub_topic_iam_binding', 'events_publishers').topic))).toBe(TOPICS.events);
    // No project-wide secret access anywhere.
    expect(text).not.toMatch(/google_project_iam_member[^}]*secretmanager/s);
    expect(Object.keys(local('function_env') as Record<string, unknown>)).toEqual(expect.arrayContaining(['CUTOVER_CHAT_WEBHOOK_ORIGINS', 'CUTOVER_STATUS_PAGE_URL']));
  });
});
