import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { CallerLimiter } from '../../ports/index.js';

export interface CallerRateLimitOptions {
  /** Requests a caller may make per window. */
  points?: number;
  windowSeconds?: number;
}

/**
 * A per-caller request budget (rate-limiter-flexible's in-memory fixed window, one per function
 * instance): a caller over it is answered 429 before any group is looked up for them. The default
 * (30 a minute) is far above what a person steering releases sends, an on-call hammering "abort"
 * included, and far below what would exhaust the directory's quota.
 */
export class CallerRateLimit implements CallerLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(options: CallerRateLimitOptions = {}) {
    this.limiter = new RateLimiterMemory({ points: options.points ?? 30, duration: options.windowSeconds ?? 60 });
  }

  async take(caller: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    try {
      await this.limiter.consume(caller.toLowerCase());
      return { ok: true };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, retryAfterMs: error.msBeforeNext };
      throw error;
    }
  }
}
