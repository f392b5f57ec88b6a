/**
 * A metric provider answers a PromQL query with one value (Flagger's providers): Cloud
 * Monitoring's Prometheus API in production, a local evaluator in tests and on the local stack.
 * Errors are answers, never throws; an empty result is a null value.
 */
export type MetricAnswer = { ok: true; value: number | null } | { ok: false; error: string };

export interface MetricProvider {
  /** Evaluates `promql` as an instant query at `at` (epoch ms). */
  query(promql: string, at: number): Promise<MetricAnswer>;
}
