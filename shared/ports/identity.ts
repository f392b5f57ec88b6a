/**
 * Who is asking. An identity is only ever what a verified token says: nothing trusts an actor
 * named in a message or an environment variable.
 */
export interface Identity {
  email: string;
  issuer: string;
  subject: string;
  /** The Workspace or Cloud Identity domain the account belongs to (the token's `hd`); null for other accounts. */
  hostedDomain: string | null;
}

export interface IdentityVerifier {
  /** Verifies a Google-style ID token (signature, audience, expiry, issuer). Throws InvalidTokenError, or UpstreamUnavailableError when the keys cannot be fetched. */
  verify(token: string): Promise<Identity>;
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** A valid token for someone this deployment does not serve (a domain outside the allow-list): 403, before any lookup. */
export class IdentityNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityNotAllowedError';
  }
}

/** Per-caller admission: a caller over its rate is answered 429 before anything is looked up for it. */
export interface CallerLimiter {
  take(caller: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

/** Group membership (Cloud Identity): which of `groups` the person belongs to, directly or not. */
export interface GroupDirectory {
  memberOf(email: string, groups: readonly string[]): Promise<Set<string>>;
}

import type { PlatformPolicy } from '../domain/platform/index.js';

/** What onCommand needs beyond the other entry points: who is asking, and who may do what. */
export interface CommandAuth {
  identity: IdentityVerifier;
  groups: GroupDirectory;
  /** Platform admins (IAM principals, from Terraform): every role on every service. */
  admins: string[];
  /** Origins whose pages may call onCommand from a browser (the status page's), for CORS. */
  pageOrigins?: string[];
  /** Requests per caller; absent: unlimited (tests). */
  limiter?: CallerLimiter;
  /** The platform's grants: which platform-owned values a service's owners may choose. None: admins only. */
  platform?: PlatformPolicy;
}
