import type { RunHook } from '../../domain/index.js';
import type { HookOutcome, HookRunner } from '../../ports/index.js';
import type { IdTokenProvider } from './http-verifier.js';

/**
 * Gate hooks that are webhooks: a POST of the release's facts with a Google ID token whose audience
 * is the hook's origin, within the hook's timeout. 2xx passes; any other answer is the hook saying
 * no (failed, with the status). No answer (refused, timed out) is transient: the release retries
 * it with backoff, and a hook that never answers fails its gate after the last attempt. A redirect
 * is not followed (the URL was checked, where it points to was not).
 */
export class WebhookGateRunner implements HookRunner {
  constructor(private readonly idToken: IdTokenProvider | null = null) {}

  async run(effect: RunHook): Promise<HookOutcome> {
    const url = effect.hook.url;
    if (!url) return { ok: false, permanent: true, error: `hook ${effect.hook.name} has no URL` };
    const body = { hook: effect.hook.name, at: effect.hook.at, releaseId: effect.releaseId, service: effect.service, image: effect.image, candidateUrl: effect.candidateUrl, stepIndex: effect.stepIndex, trafficPercent: effect.trafficPercent };
    try {
      const token: Record<string, string> = this.idToken ? { authorization: `Bearer ${await this.idToken(new URL(url).origin)}` } : {};
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...token }, body: JSON.stringify(body), signal: AbortSignal.timeout(effect.hook.timeout), redirect: 'manual' });
      const text = (await response.text().catch(() => '')).slice(0, 300);
      const ok = response.status >= 200 && response.status < 300;
      return { ok: true, status: ok ? 'passed' : 'failed', execution: null, detail: `hook ${effect.hook.name} answered ${response.status}${text ? `: ${text}` : ''}` };
    } catch (error) {
      return { ok: false, permanent: false, error: `hook ${effect.hook.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
    }
  }
}

/** The runner for each kind of hook: a webhook, or a Cloud Run Job (absent where no jobs API is wired). */
export class HookDispatch implements HookRunner {
  constructor(private readonly runners: { webhook: HookRunner; job: HookRunner | null }) {}

  run(effect: RunHook): Promise<HookOutcome> {
    if (effect.hook.job !== null) {
      return this.runners.job ? this.runners.job.run(effect) : Promise.resolve({ ok: false, permanent: true, error: `hook ${effect.hook.name} is a Cloud Run Job, and this installation runs no jobs` });
    }
    return this.runners.webhook.run(effect);
  }
}
