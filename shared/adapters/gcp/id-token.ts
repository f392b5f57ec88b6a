import { GoogleAuth } from 'google-auth-library';
import type { IdTokenProvider } from '../http/http-verifier.js';

/** ID tokens from the runtime's service account (metadata server on Cloud Functions), cached per audience by the library. */
export function googleIdTokens(auth = new GoogleAuth()): IdTokenProvider {
  return async (audience) => {
    const client = await auth.getIdTokenClient(audience);
    return client.idTokenProvider.fetchIdToken(audience);
  };
}
