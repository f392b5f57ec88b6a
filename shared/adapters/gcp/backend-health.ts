import type { BackendServicesClient } from '@google-cloud/compute';
import { backendServiceName } from '../../domain/index.js';
import { describeError } from './grpc-errors.js';

/** Whether every endpoint behind a backend service passes the load balancer's health check. */
export type BackendHealthOutcome = { ok: true; healthy: number; total: number } | { ok: false; permanent: boolean; error: string };

/**
 * The load balancer's own view of a colour (Compute BackendServices.get, then getHealth per
 * backend group: a GKE NEG or an instance group). A rollout Kubernetes calls complete is ready
 * for traffic only when the load balancer sees its endpoints healthy too: the NEG controller and
 * the health check lag the pods. Errors are data; a missing backend service is permanent.
 */
export class BackendHealth {
  constructor(
    private readonly backendServices: BackendServicesClient,
    private readonly timeoutMs = 5_000,
  ) {}

  async of(project: string, backendService: string): Promise<BackendHealthOutcome> {
    const name = backendServiceName(backendService);
    try {
      const [service] = await this.backendServices.get({ project, backendService: name }, { timeout: this.timeoutMs });
      const groups = (service.backends ?? []).map((b) => b.group).filter((g): g is string => typeof g === 'string' && g.length > 0);
      if (groups.length === 0) return { ok: false, permanent: true, error: `backend service ${name} has no backends (NEG or instance group)` };
      let healthy = 0;
      let total = 0;
      for (const group of groups) {
        const [health] = await this.backendServices.getHealth({ project, backendService: name, resourceGroupReferenceResource: { group } }, { timeout: this.timeoutMs });
        for (const endpoint of health.healthStatus ?? []) {
          total += 1;
          if (endpoint.healthState === 'HEALTHY') healthy += 1;
        }
      }
      return { ok: true, healthy, total };
    } catch (error) {
      const text = describeError(error);
      return { ok: false, permanent: /NOT_FOUND|404|notFound/.test(text), error: `Compute BackendServices ${name}: ${text}` };
    }
  }
}
