import type { CloudTasksClient } from '@google-cloud/tasks';
import type { Scheduler } from '../../ports/index.js';
import { Code, codeOf } from './grpc-errors.js';

export interface CloudTasksSchedulerOptions {
  /** projects/P/locations/L/queues/Q */
  queue: string;
  /** URL of the onTimer function. */
  url: string;
  /** Service account whose OIDC token the task carries (the timer function only accepts it). */
  serviceAccountEmail: string;
  audience?: string;
}

/**
 * Precise per-release timers with Cloud Tasks: one HTTP task to the onTimer function at the due
 * time, carrying an OIDC token. The task name is derived from the release and the due time, so a
 * retried schedule is refused by Cloud Tasks as ALREADY_EXISTS instead of firing twice. The minute
 * tick remains the safety net for any timer that is lost.
 */
export class CloudTasksScheduler implements Scheduler {
  constructor(
    private readonly client: CloudTasksClient,
    private readonly options: CloudTasksSchedulerOptions,
  ) {}

  static taskId(releaseId: string, at: number): string {
    return `${releaseId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 400)}-${at}`;
  }

  async scheduleCheck(releaseId: string, service: string, at: number): Promise<void> {
    const { queue, url, serviceAccountEmail, audience } = this.options;
    try {
      await this.client.createTask({
        parent: queue,
        task: {
          name: `${queue}/tasks/${CloudTasksScheduler.taskId(releaseId, at)}`,
          scheduleTime: { seconds: Math.ceil(at / 1000) },
          httpRequest: {
            url,
            httpMethod: 'POST',
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(JSON.stringify({ releaseId, service, at })),
            oidcToken: { serviceAccountEmail, audience: audience ?? url },
          },
        },
      });
    } catch (error) {
      if (codeOf(error) === Code.ALREADY_EXISTS) return;
      throw error;
    }
  }
}
