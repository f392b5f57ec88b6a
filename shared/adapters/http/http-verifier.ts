import type { CheckResult, RunVerification } from '../../domain/index.js';
import type { VerificationChecker } from '../../ports/index.js';

/**
 * Verification checks as plain HTTP GETs against the candidate's own URL (Node's fetch), each
 * with its own timeout. Results are measurements: a timeout or refused connection is a failed
 * check with the error, never a throw.
 */
export class HttpVerificationChecker implements VerificationChecker {
  constructor(private readonly headers: (url: string) => Promise<Record<string, string>> = () => Promise.resolve({})) {}

  async run(effect: RunVerification): Promise<CheckResult[]> {
    const base = effect.candidateUrl;
    return Promise.all(
      effect.checks.map(async (check): Promise<CheckResult> => {
        const started = performance.now();
        const done = (status: number | null, error: string | null): CheckResult => ({
          path: check.path,
          status,
          ok: error === null && status === check.expectStatus,
          durationMs: Math.round(performance.now() - started),
          error,
        });
        if (!base) return done(null, 'candidate has no URL');
        const url = new URL(check.path, base).toString();
        try {
          const response = await fetch(url, { headers: await this.headers(url), signal: AbortSignal.timeout(check.timeout), redirect: 'manual' });
          await response.body?.cancel();
          return done(response.status, response.status === check.expectStatus ? null : `expected ${check.expectStatus}, got ${response.status}`);
        } catch (error) {
          return done(null, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        }
      }),
    );
  }
}
