/**
 * Cutover's Pub/Sub topology: the same names in Terraform (infra/), on the local stack and in
 * the end-to-end tests. Each subscription pushes to one function.
 */
export const TOPICS = {
  cloudBuilds: 'cloud-builds',
  alerts: 'cutover-alerts',
  ticks: 'cutover-ticks',
  events: 'cutover-events',
  /** Cloud Run request log entries of the revisions in play, routed here by a Logging sink. */
  requestLogs: 'cutover-request-logs',
} as const;

/** The pull subscription the telemetry health source drains (synchronous pull, not push). */
export const TELEMETRY_SUBSCRIPTION = 'cutover-telemetry';

export type PushedFunction = 'onCloudBuild' | 'onAlert' | 'onTick' | 'notifyChat' | 'promoteStages';

export const SUBSCRIPTIONS: readonly { name: string; topic: string; fn: PushedFunction }[] = [
  { name: 'cutover-on-cloud-build', topic: TOPICS.cloudBuilds, fn: 'onCloudBuild' },
  { name: 'cutover-on-alert', topic: TOPICS.alerts, fn: 'onAlert' },
  { name: 'cutover-on-tick', topic: TOPICS.ticks, fn: 'onTick' },
  // Release events to the services' chat channels: beside the release, never in its path.
  { name: 'cutover-notify-chat', topic: TOPICS.events, fn: 'notifyChat' },
  // Environments in order: a stage's release events reach the stages that promote from it.
  { name: 'cutover-promote-stages', topic: TOPICS.events, fn: 'promoteStages' },
];
