import type { DeployCandidate, HealthReading, MeasureHealth, SetTraffic } from '../../domain/index.js';
import type { DeployOutcome, Failure, HealthSource, TrafficOutcome, TrafficRouter } from '../../ports/index.js';

/**
 * The local adapters for the TrafficRouter and HealthSource ports: they talk to the local
 * router's admin API over HTTP. Outcomes are data: a refused connection or a 5xx is transient,
 * a 4xx (unknown revision, bad image) is permanent.
 */
export class LocalRouterClient implements TrafficRouter, HealthSource {
  constructor(
    private readonly adminUrl: string,
    private readonly timeoutMs = 20_000,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, region?: string): Promise<{ ok: true; value: T } | Failure> {
    try {
      // The region picks the router of a service that runs in several local regions; the others ignore it.
      const url = new URL(`${this.adminUrl}${path}`);
      if (region) url.searchParams.set('region', region);
      const response = await fetch(url, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : null,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const json = (await response.json()) as T & { error?: string };
      if (response.ok) return { ok: true, value: json };
      return { ok: false, permanent: response.status >= 400 && response.status < 500, error: json.error ?? `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, permanent: false, error: `local router unreachable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async deployCandidate(effect: DeployCandidate): Promise<DeployOutcome> {
    const out = await this.call<{ revision: string; url: string; stableRevision: string | null; baselineRevision?: string | null }>('POST', `/v1/services/${encodeURIComponent(effect.router.service)}/revisions`, {
      revision: effect.revisionName,
      image: effect.image,
      baselineRevision: effect.baselineRevisionName,
    }, effect.router.region);
    return out.ok ? { ok: true, revision: out.value.revision, url: out.value.url, stableRevision: out.value.stableRevision, baselineRevision: out.value.baselineRevision ?? null } : out;
  }

  async setTraffic(effect: SetTraffic): Promise<TrafficOutcome> {
    const out = await this.call<{ observedPercent: number }>('PUT', `/v1/services/${encodeURIComponent(effect.router.service)}/traffic`, {
      stableRevision: effect.stableRevision,
      candidateRevision: effect.candidateRevision,
      candidatePercent: effect.candidatePercent,
      baselineRevision: effect.baselineRevision,
      baselinePercent: effect.baselinePercent,
    }, effect.router.region);
    return out.ok ? { ok: true, observedPercent: out.value.observedPercent } : out;
  }

  async measure(effect: MeasureHealth): Promise<HealthReading> {
    if (!effect.candidateRevision) return { ok: false, error: 'no candidate revision to measure' };
    const query = new URLSearchParams({ revision: effect.candidateRevision, from: String(effect.windowStartAt), to: String(effect.windowEndAt) });
    const out = await this.call<{ requests: number; errors: number; p99LatencyMs: number | null }>('GET', `/v1/services/${encodeURIComponent(effect.router.service)}/metrics?${query}`, undefined, effect.router.region);
    if (!out.ok) return { ok: false, error: out.error };
    return { ok: true, measurements: { ...out.value, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt, source: 'router' } };
  }
}
