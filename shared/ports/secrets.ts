/**
 * Secrets Cutover reads (a chat webhook URL is a credential): the latest version of a secret in
 * Cutover's own project, by secret id. Throws SecretUnreadableError when the secret cannot be read
 * as configured (absent, not allowed, disabled): that will not heal by retrying. Throws
 * UpstreamUnavailableError (ports/builds.ts) when the secret store cannot answer now.
 */
export interface SecretSource {
  read(secretId: string): Promise<string>;
}

export type SecretProblem = 'NotFound' | 'PermissionDenied' | 'Disabled' | 'Invalid';

export class SecretUnreadableError extends Error {
  constructor(
    readonly problem: SecretProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretUnreadableError';
  }
}
