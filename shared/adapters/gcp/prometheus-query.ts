import { z } from 'zod';
import type { MetricAnswer, MetricProvider } from '../../ports/index.js';

/**
 * MetricProvider on the Prometheus HTTP API: Cloud Monitoring's (Managed Service for Prometheus,
 * `https://monitoring.googleapis.com/v1/projects/PROJECT/location/global/prometheus`, which also
 * serves Cloud Monitoring's own metrics), with a Google access token; locally the evaluator in
 * local/prometheus.ts. An instant query must come back as one sample (aggregate in the query):
 * several series are an error, none is a null value. Every failure is an answer, with a deadline.
 */
const answerSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()).optional(), value: z.tuple([z.number(), z.string()]) })) }),
      z.object({ resultType: z.literal('scalar'), result: z.tuple([z.number(), z.string()]) }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

export interface PrometheusQueryOptions {
  /** Headers for each request (a Google access token in production; none locally). */
  headers?: () => Promise<Record<string, string>>;
  timeoutMs?: number;
}

export class PrometheusQueryProvider implements MetricProvider {
  private readonly timeoutMs: number;

  constructor(
    private readonly baseUrl: string,
    private readonly options: PrometheusQueryOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async query(promql: string, at: number): Promise<MetricAnswer> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query: promql, time: (at / 1000).toFixed(3) })}`;
    try {
      const response = await fetch(url, { headers: { accept: 'application/json', ...(await this.options.headers?.()) }, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { ok: false, error: `Prometheus API: HTTP ${response.status}, not JSON` };
      }
      const parsed = answerSchema.safeParse(json);
      if (!parsed.success) return { ok: false, error: `Prometheus API: HTTP ${response.status}, an answer of unknown shape` };
      const answer = parsed.data;
      if (answer.status === 'error') return { ok: false, error: `Prometheus API: ${answer.errorType ?? 'error'}: ${(answer.error ?? '').slice(0, 200)}` };
      const { data } = answer;
      if (data.resultType === 'scalar') return number(data.result[1]);
      if (data.resultType !== 'vector') return { ok: false, error: `Prometheus API: a ${data.resultType} result; the query must return one sample` };
      if (data.result.length === 0) return { ok: true, value: null };
      if (data.result.length > 1) return { ok: false, error: `Prometheus API: ${data.result.length} series; aggregate the query to one (sum, avg, max…)` };
      return number(data.result[0]?.value[1] ?? '');
    } catch (error) {
      return { ok: false, error: `Prometheus API: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

function number(text: string): MetricAnswer {
  const value = Number(text);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, error: `Prometheus API: the sample is ${text.slice(0, 20)}, not a finite number` };
}
