/**
 * Who is asking. An identity is only ever what a verified token says: nothing trusts an actor
 * named in a message or an environment variable.
 */
export interface Identity {
  email: string;
  issuer: string;
  subject: string;
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
  /** The platform's grants: which platform-owned values a service's owners may choose. None: admins only. */
  platform?: PlatformPolicy;
}
