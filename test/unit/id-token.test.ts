import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { IdentityNotAllowedError, InvalidTokenError, UpstreamUnavailableError } from '../../shared/ports/index.js';
import { LocalIssuer } from '../../local/issuer.js';

/** ID token verification with google-auth-library against a local issuer publishing Google-format certificates. */
describe('IdTokenVerifier', () => {
  const issuer = new LocalIssuer();
  const other = new LocalIssuer();
  const AUD = 'http://127.0.0.1:1/onCommand';
  let verifier: IdTokenVerifier;
  beforeAll(async () => {
    await issuer.start();
    await other.start();
    verifier = new IdTokenVerifier({ audiences: [AUD], certsUrl: issuer.certsUrl, issuers: [issuer.url] });
  });
  afterAll(async () => {
    await issuer.stop();
    await other.stop();
  });

  it('accepts a valid token and returns its verified email', async () => {
    expect(await verifier.verify(issuer.sign({ email: 'Alice@Example.com', audience: AUD }))).toMatchObject({ email: 'alice@example.com', issuer: issuer.url });
  });

  it.each([
    ['expired', () => issuer.sign({ email: 'a@x.com', audience: AUD, expiresIn: -3600 }), /too late|expired/i],
    ['for another audience', () => issuer.sign({ email: 'a@x.com', audience: 'https://elsewhere' }), /recipient|audience/i],
    ['from another issuer name', () => issuer.sign({ email: 'a@x.com', audience: AUD, issuer: 'https://accounts.google.com' }), /issuer/i],
    ['signed by another key', () => other.sign({ email: 'a@x.com', audience: AUD, issuer: issuer.url }), /signature|pem|certificate/i],
    ['with an unverified email', () => issuer.sign({ email: 'a@x.com', audience: AUD, emailVerified: false }), /verified email/],
    ['not a JWT', () => 'hello', /not a JWT/],
    ['with a forged payload', () => {
      const [h, , s] = issuer.sign({ email: 'a@x.com', audience: AUD }).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ iss: issuer.url, aud: AUD, email: 'root@x.com', email_verified: true, exp: 9e9, iat: 1 })).toString('base64url')}.${s}`;
    }, /signature/i],
  ])('refuses a token %s', async (_name, token, why) => {
    const error = await verifier.verify(token()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as Error).message).toMatch(why);
  });

  describe('bound to Cutover: its own OAuth clients, the domains it serves', () => {
    const CLIENT = 'cutover-client.apps.googleusercontent.com';
    const bound = () => new IdTokenVerifier({ audiences: [AUD, CLIENT], certsUrl: issuer.certsUrl, issuers: [issuer.url], clients: [CLIENT], domains: ['example.com', 'p.iam.gserviceaccount.com'] });

    it('refuses a token for Cutover\'s client obtained by another app (foreign azp): it could be a replay', async () => {
      const token = issuer.sign({ email: 'a@example.com', hostedDomain: 'example.com', audience: CLIENT, authorizedParty: 'other-app.apps.googleusercontent.com' });
      await expect(bound().verify(token)).rejects.toThrow(/obtained by OAuth client other-app/);
      expect((await bound().verify(issuer.sign({ email: 'a@example.com', hostedDomain: 'example.com', audience: CLIENT, authorizedParty: CLIENT }))).hostedDomain).toBe('example.com');
    });

    it('refuses an account outside the domains served, whatever its email says; a service account by its email domain', async () => {
      // A consumer Google account created with a work address carries no hd.
      await expect(bound().verify(issuer.sign({ email: 'a@example.com', audience: AUD }))).rejects.toBeInstanceOf(IdentityNotAllowedError);
      await expect(bound().verify(issuer.sign({ email: 'a@evil.com', hostedDomain: 'evil.com', audience: AUD }))).rejects.toBeInstanceOf(IdentityNotAllowedError);
      expect((await bound().verify(issuer.sign({ email: 'ci@p.iam.gserviceaccount.com', audience: AUD }))).email).toBe('ci@p.iam.gserviceaccount.com');
    });
  });

  it('says unavailable (503, retried) when the certificates cannot be fetched, not "invalid"', async () => {
    const offline = new IdTokenVerifier({ audiences: [AUD], certsUrl: 'http://127.0.0.1:9/certs', issuers: [issuer.url] });
    await expect(offline.verify(issuer.sign({ email: 'a@x.com', audience: AUD }))).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });
});
