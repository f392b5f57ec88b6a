import type { Scheduler } from '../../ports/index.js';

/**
 * No precise timers: the minute tick (Cloud Scheduler → onTick) picks up every due release.
 * Checks then happen up to one tick interval late; precise timers (Cloud Tasks, in-process)
 * are separate adapters.
 */
export class TickOnlyScheduler implements Scheduler {
  scheduleCheck(): Promise<void> {
    return Promise.resolve();
  }
}
