import type { CheckResult, RunVerification } from '../../domain/index.js';
import type { VerificationChecker } from '../../ports/index.js';

/** Returns an ID token whose audience is the given URL (google-auth-library in production). */
export type IdTokenProvider = (audience: string) => Promise<string>;

/**
 * Verification checks as HTTP GETs against the candidate's own URL (Node's fetch), each with its
 * own timeout, and the service's after-deploy hooks beside them. For a private service, each check carries a Google ID token for the service's
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
    const [checks, hooks] = await Promise.all([this.checks(effect), Promise.all((effect.hooks ?? []).map((hook) => this.hook(effect, hook)))]);
    return [...checks, ...hooks];
  }

  /**
   * An after-deploy hook: a POST of what it needs to test the candidate, with a Google ID token
   * for the hook's origin (when a token provider is configured), within the hook's timeout. Passes
   * on 2xx; a redirect is not followed (the URL was checked, where it points to was not).
   */
  private async hook(effect: RunVerification, hook: NonNullable<RunVerification['hooks']>[number]): Promise<CheckResult> {
    const started = performance.now();
    const done = (status: number | null, error: string | null): CheckResult => ({ path: `hook:${hook.name}`, status, ok: error === null, durationMs: Math.round(performance.now() - started), error });
    try {
      const token: Record<string, string> = this.idToken ? { authorization: `Bearer ${await this.idToken(new URL(hook.url).origin)}` } : {};
      const body = { hook: hook.name, at: 'after-deploy', releaseId: effect.releaseId, service: effect.service, candidateUrl: effect.candidateUrl, headers: effect.headers ?? {} };
      const response = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...token }, body: JSON.stringify(body), signal: AbortSignal.timeout(hook.timeout), redirect: 'manual' });
      await response.body?.cancel();
      return done(response.status, response.status >= 200 && response.status < 300 ? null : `hook ${hook.name} answered ${response.status}`);
    } catch (error) {
      return done(null, `hook ${hook.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }

  private checks(effect: RunVerification): Promise<CheckResult[]> {
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
