import type { CheckResult, RunVerification } from '../../domain/index.js';
import type { VerificationChecker } from '../../ports/index.js';

/** Returns an ID token whose audience is the given URL (google-auth-library in production). */
export type IdTokenProvider = (audience: string) => Promise<string>;

/**
 * Verification checks as HTTP GETs against the candidate's own URL (Node's fetch), each with its
 * own timeout. For a private service, each check carries a Google ID token for the service's
 * origin. Results are measurements: a timeout, a refused connection or a token failure is a
 * failed check with the error, never a throw.
 */
export class HttpVerificationChecker implements VerificationChecker {
  constructor(private readonly idToken: IdTokenProvider | null = null) {}

  private async headers(url: string, needsToken: boolean): Promise<Record<string, string>> {
    if (!needsToken) return {};
    if (!this.idToken) throw new Error('the service is private but no ID token provider is configured');
    return { authorization: `Bearer ${await this.idToken(new URL(url).origin)}` };
  }

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
        const resolved = new URL(check.path, base);
        // A check runs on the candidate only (a config stored before paths were validated could say `//host`):
        // the request, and the ID token it carries when private, never leave the candidate's origin.
        if (resolved.origin !== new URL(base).origin) return done(null, `check path ${check.path} leaves the candidate's origin; refused`);
        const url = resolved.toString();
        try {
          const response = await fetch(url, { headers: { ...effect.headers, ...(await this.headers(url, effect.private)) }, signal: AbortSignal.timeout(check.timeout), redirect: 'manual' });
          await response.body?.cancel();
          return done(response.status, response.status === check.expectStatus ? null : `expected ${check.expectStatus}, got ${response.status}`);
        } catch (error) {
          return done(null, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        }
      }),
    );
  }
}
