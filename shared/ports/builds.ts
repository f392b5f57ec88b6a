import type { BuildFacts } from '../domain/index.js';

/** Where a build lives in Cloud Build: the project and location come from the service's config, never from a message. */
export interface BuildRef {
  project: string;
  location: string;
  buildId: string;
}

/**
 * The authority on builds (the Cloud Build API). `null`: the authority does not know the build.
 * Throws UpstreamUnavailableError when it cannot be asked now (the caller answers 503 so Pub/Sub
 * redelivers); a build is never trusted for want of an answer.
 */
export interface BuildAuthority {
  getBuild(ref: BuildRef): Promise<BuildFacts | null>;
  /** A trigger by its id or its name (the API takes either); null when the API knows none. */
  getTrigger(ref: TriggerRef): Promise<TriggerFacts | null>;
}

export interface TriggerRef {
  project: string;
  location: string;
  /** An id or a name, as a person wrote it in the config. */
  trigger: string;
}

/** What the Cloud Build API says of a trigger: its id (what builds carry) and its name. */
export interface TriggerFacts {
  id: string;
  name: string;
}

/** A dependency other than the store cannot answer now: the request is answered 503 and redelivered. */
export class UpstreamUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamUnavailableError';
  }
}
