import type { Scheduler } from '../shared/ports/index.js';

/**
 * Precise timers for the local stack: at the requested time, ask for a tick the same way the
 * production scheduler does (publish to the ticks topic), so every check takes the same path.
 * Like Cloud Tasks, every requested time fires (a tick with nothing due is a no-op); asking
 * twice for the same release and time schedules once.
 */
export class InProcessTimerScheduler implements Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly fire: (releaseId: string) => Promise<void>,
    private readonly clock: () => number = Date.now,
  ) {}

  scheduleCheck(releaseId: string, _service: string, at: number): Promise<void> {
    const key = `${releaseId}@${at}`;
    if (this.timers.has(key)) return Promise.resolve();
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.fire(releaseId).catch(() => undefined);
    }, Math.max(0, at - this.clock()) + 5);
    timer.unref();
    this.timers.set(key, timer);
    return Promise.resolve();
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
