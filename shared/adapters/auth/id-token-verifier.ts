import { OAuth2Client } from 'google-auth-library';
import { IdentityNotAllowedError, InvalidTokenError, UpstreamUnavailableError, type Identity, type IdentityVerifier } from '../../ports/index.js';

/** Google's PEM certificates for ID tokens, and the issuers they carry. */
export const GOOGLE_CERTS_URL = 'https://www.googleapis.com/oauth2/v1/certs';
export const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export interface IdTokenVerifierOptions {
  /** Accepted audiences: the function's own URL (and, for the page's sign-in, its OAuth client id). */
  audiences: string[];
  certsUrl?: string;
  issuers?: string[];
  /**
   * Cutover's own OAuth clients. A token whose audience is one of them must also have been
   * obtained by one of them (`azp`): another app can get a person's token for Cutover's client id
   * and replay it here.
   */
  clients?: string[];
  /**
   * The domains served: a person's token must carry `hd` in this list (a Google account can be
   * created with any address, so the email's domain proves nothing); a service account's is its
   * email's domain. Empty: every domain (the local stack only).
   */
  domains?: string[];
}

const SERVICE_ACCOUNT_DOMAIN = /@([a-z0-9.-]+\.gserviceaccount\.com)$/;

/**
 * Verifies ID tokens with google-auth-library: RS256 signature against the issuer's published
 * certificates (cached as their Cache-Control says), audience, expiry (with the library's clock
 * skew) and issuer; then requires a verified email. In production the issuer is Google; the local
 * stack's issuer publishes its own certificates in the same format, so the same code verifies both.
 */
export class IdTokenVerifier implements IdentityVerifier {
  private readonly client: OAuth2Client;
  private readonly issuers: string[];

  constructor(private readonly options: IdTokenVerifierOptions) {
    this.issuers = options.issuers ?? GOOGLE_ISSUERS;
    this.client = new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: options.certsUrl ?? GOOGLE_CERTS_URL }, issuers: this.issuers });
  }

  async verify(token: string): Promise<Identity> {
    if (this.options.audiences.length === 0) throw new InvalidTokenError('no audience is configured for this function (CUTOVER_COMMAND_AUDIENCE)');
    if (token.length > 8192 || token.split('.').length !== 3) throw new InvalidTokenError('not a JWT');
    let certs;
    try {
      certs = (await this.client.getFederatedSignonCertsAsync()).certs;
    } catch (error) {
      throw new UpstreamUnavailableError(`cannot fetch the token issuer's certificates: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    let payload;
    try {
      payload = (await this.client.verifySignedJwtWithCertsAsync(token, certs, this.options.audiences, this.issuers)).getPayload();
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message.split('\n')[0] ?? 'invalid token' : 'invalid token');
    }
    if (!payload?.email || payload.email_verified !== true) throw new InvalidTokenError('the token carries no verified email');
    const clients = this.options.clients ?? [];
    const audience = typeof payload.aud === 'string' ? payload.aud : '';
    if (clients.includes(audience) && !clients.includes(payload.azp ?? audience)) throw new InvalidTokenError(`the token was obtained by OAuth client ${payload.azp ?? '?'}, not by Cutover's`);
    const email = payload.email.toLowerCase();
    const hostedDomain = typeof payload.hd === 'string' ? payload.hd.toLowerCase() : null;
    const domains = this.options.domains ?? [];
    const domain = hostedDomain ?? SERVICE_ACCOUNT_DOMAIN.exec(email)?.[1] ?? null;
    if (domains.length > 0 && (domain === null || !domains.includes(domain))) throw new IdentityNotAllowedError(`${email} is not in a domain this Cutover serves`);
    return { email, issuer: payload.iss, subject: payload.sub, hostedDomain };
  }
}
