/**
 * The kinds of target a service can be released to, declared once. The service config's
 * `router.kind` is read from this list, the wiring builds one deployer and splitter per kind
 * (shared/targets/registry.ts), and the runtime dispatches every step effect on the kind the
 * service names: one installation releases services of every kind side by side.
 */
export const TARGET_KINDS = ['cloud-run', 'local'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
