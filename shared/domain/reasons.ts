/**
 * Every reason Cutover can give for a decision, in one place (argo-rollouts keeps its
 * condition reasons the same way). These strings are public: they appear in Firestore
 * (`lastDecision.reason`, history entries), in the CLI and in notifications.
 */
export const Reason = {
  // Builds
  BuildStarted: 'BuildStarted',
  BuildSucceeded: 'BuildSucceeded',
  BuildFailed: 'BuildFailed',
  BuildStatusIgnored: 'BuildStatusIgnored',
  // Provenance: why a build message was refused (stored with the rejected input; nothing in flight changes)
  NoSourcePolicy: 'NoSourcePolicy',
  BuildNotFound: 'BuildNotFound',
  BuildMismatch: 'BuildMismatch',
  UntrustedTrigger: 'UntrustedTrigger',
  UntrustedRef: 'UntrustedRef',
  /** A build of a pull request (its head may be anyone's fork), or of a git repository the service does not name. */
  UntrustedEvent: 'UntrustedEvent',
  UntrustedRepository: 'UntrustedRepository',
  UntrustedImage: 'UntrustedImage',
  ImageNotPinned: 'ImageNotPinned',
  // Deploy policies
  /** A deploy policy in force blocks this release starting or advancing: it holds (never dropped) until the policy lifts or is overridden. */
  FrozenByPolicy: 'FrozenByPolicy',
  /** The policy that held the release is no longer in force: it goes on. */
  PolicyLifted: 'PolicyLifted',
  /** A person with the policy's override role let this one release past it (audited in history). */
  PolicyOverridden: 'PolicyOverridden',
  // Concurrency
  Queued: 'Queued',
  Dequeued: 'Dequeued',
  Superseded: 'Superseded',
  // Progress
  CandidateDeployed: 'CandidateDeployed',
  DeployFailed: 'DeployFailed',
  VerificationPassed: 'VerificationPassed',
  VerificationFailed: 'VerificationFailed',
  StepReached: 'StepReached',
  TrafficNotApplied: 'TrafficNotApplied',
  Baking: 'Baking',
  StepAdvanced: 'StepAdvanced',
  AwaitingApproval: 'AwaitingApproval',
  Completed: 'Completed',
  WatchWindowEnded: 'WatchWindowEnded',
  // Health
  Healthy: 'Healthy',
  ErrorRateBreached: 'ErrorRateBreached',
  /** No longer decided (a handful of requests never rolls back); kept because older histories carry it. */
  ErrorBudgetExhausted: 'ErrorBudgetExhausted',
  LatencyBreached: 'LatencyBreached',
  /** The candidate's 5xx ratio is shown above its baseline's by more than the minimum effect. */
  ErrorRatioAboveBaseline: 'ErrorRatioAboveBaseline',
  /** The candidate's latency is shown above its baseline's (rank test or a quantile limit). */
  LatencyAboveBaseline: 'LatencyAboveBaseline',
  /** The candidate looks worse than allowed, or a shared cause breaches a ceiling, but nothing is shown yet: the step holds. */
  Marginal: 'Marginal',
  /** A custom metric (the service's PromQL query) failed its absolute line or its comparison with the baseline. */
  CustomMetricFailed: 'CustomMetricFailed',
  /** The step has baked on the request-log stream; Cloud Monitoring cannot see it yet (or could not be asked): it holds. */
  AwaitingConfirmation: 'AwaitingConfirmation',
  /** The request-log stream and Cloud Monitoring's own counts part beyond the tolerance: forged or lost entries; the step holds. */
  EvidenceDisagrees: 'EvidenceDisagrees',
  /** Most of the candidate's own checks, probed with the measurement, failed: broken whatever the traffic. */
  ProbesFailed: 'ProbesFailed',
  TooFewRequests: 'TooFewRequests',
  LatencyUnavailable: 'LatencyUnavailable',
  MetricsUnavailable: 'MetricsUnavailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  // Alerts
  IncidentOpened: 'IncidentOpened',
  IncidentClosed: 'IncidentClosed',
  // Rollback
  RolledBack: 'RolledBack',
  /** A release in several regions: a wave started, completed, or the whole release was taken back because of one region. */
  WaveStarted: 'WaveStarted',
  WaveCompleted: 'WaveCompleted',
  RegionFailed: 'RegionFailed',
  /** A rollback was due but nothing else ever served: there is nothing to return to, so Cutover says so instead of spinning. */
  NoStableToRestore: 'NoStableToRestore',
  // Hooks
  /** A gate hook passed (or a job it started succeeded). */
  HookPassed: 'HookPassed',
  /** A gate hook failed, answered no 2xx, or did not end within its timeout: the release stops (fails before deploy, else rolls back). */
  HookFailed: 'HookFailed',
  /** A job hook started; the release waits for its execution. */
  HookRunning: 'HookRunning',
  /** A barrier hook (a migration's contract step) started: from here a rollback Cutover would start by itself is held for a person. */
  BarrierStarted: 'BarrierStarted',
  /** A rollback was called for after a barrier hook ran (a migration's contract step): held for a person, never crossed by Cutover itself. */
  BarrierCrossed: 'BarrierCrossed',
  // Pipelines (environments in order)
  /** The build completed in the stage before: this stage's release of it soaks there first. */
  PromotionReceived: 'PromotionReceived',
  /** It soaked in the stage before and goes on here (or waits for approval). */
  PromotionSoaked: 'PromotionSoaked',
  /** The stage before rolled the build back (or was revoked itself): it goes no further, and what took it here goes back. */
  DigestRevoked: 'DigestRevoked',
  /** An `upstream` event that does not hold against the facts (no promotion configured, another service, another build). */
  NotPromotable: 'NotPromotable',
  // Commands
  Promoted: 'Promoted',
  Approved: 'Approved',
  Paused: 'Paused',
  Resumed: 'Resumed',
  Aborted: 'Aborted',
  ManualRollback: 'ManualRollback',
  CommandRejected: 'CommandRejected',
  // Effects
  EffectIssued: 'EffectIssued',
  EffectRetried: 'EffectRetried',
  EffectFailedTransient: 'EffectFailedTransient',
  StaleResultIgnored: 'StaleResultIgnored',
  NothingToDo: 'NothingToDo',
} as const;

export type Reason = (typeof Reason)[keyof typeof Reason];
