import { GoogleAuth, UserRefreshClient } from 'google-auth-library';
import { localToken } from '../local/issuer.js';

/** How the CLI reaches onCommand: every steering command and `services apply` go there, with the user's ID token. */
export interface CommandClient {
  send(body: Record<string, unknown>, idempotencyKey: string): Promise<{ status: number; json: Record<string, unknown> }>;
}

export function httpCommandClient(url: string, token: () => Promise<string>, timeoutMs = 15_000): CommandClient {
  return {
    async send(body, idempotencyKey) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}`, 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = { error: text.slice(0, 500) };
      }
      return { status: res.status, json };
    },
  };
}

/**
 * The user's ID token for onCommand, in this order: CUTOVER_ID_TOKEN as given (CI, scripts); the
 * local stack's issuer (npm start writes CUTOVER_LOCAL_ISSUER; the user is CUTOVER_LOCAL_USER);
 * else Application Default Credentials: a person logged in with
 * `gcloud auth application-default login --client-id-file=<Cutover's OAuth client>` gets an ID token
 * for Cutover's OAuth client, a service account one for the function's URL.
 */
export async function idTokenFor(env: Record<string, string | undefined>, audience: string): Promise<string> {
  if (env.CUTOVER_ID_TOKEN) return env.CUTOVER_ID_TOKEN.trim();
  if (env.CUTOVER_LOCAL_ISSUER) return localToken(env.CUTOVER_LOCAL_ISSUER, env.CUTOVER_LOCAL_USER ?? 'dev@cutover.local', audience, env.CUTOVER_LOCAL_SECRET ?? null);
  const auth = new GoogleAuth();
  const client = await auth.getClient();
  if (client instanceof UserRefreshClient) {
    const { credentials } = await client.refreshAccessToken();
    if (!credentials.id_token) throw new Error('your application-default credentials carry no ID token: log in with `gcloud auth application-default login --client-id-file=<Cutover OAuth client>` (docs/deploy-gcp.md)');
    return credentials.id_token;
  }
  return (await auth.getIdTokenClient(audience)).idTokenProvider.fetchIdToken(audience);
}
