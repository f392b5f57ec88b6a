import { SECRET_ID_RULE } from '../../shared/domain/index.js';
import { SecretUnreadableError, UpstreamUnavailableError, type SecretSource } from '../../shared/ports/index.js';

/** An in-memory SecretSource with Secret Manager's refusals; `failNext(n)` makes it unavailable n times. */
export class MemorySecrets implements SecretSource {
  private readonly secrets = new Map<string, { value: string; disabled: boolean; readable: boolean }>();
  private failures = 0;
  reads = 0;

  put(secretId: string, value: string, options: { disabled?: boolean; readable?: boolean } = {}): void {
    this.secrets.set(secretId, { value, disabled: options.disabled ?? false, readable: options.readable ?? true });
  }

  failNext(count: number): void {
    this.failures = count;
  }

  read(secretId: string): Promise<string> {
    this.reads += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new UpstreamUnavailableError('memory secrets unavailable'));
    }
    if (!SECRET_ID_RULE.test(secretId)) return Promise.reject(new SecretUnreadableError('Invalid', `"${secretId}" is not a secret id`));
    const secret = this.secrets.get(secretId);
    if (!secret) return Promise.reject(new SecretUnreadableError('NotFound', `secret ${secretId} not found`));
    if (!secret.readable) return Promise.reject(new SecretUnreadableError('PermissionDenied', `secret ${secretId}: permission denied`));
    if (secret.disabled) return Promise.reject(new SecretUnreadableError('Disabled', `secret ${secretId}: latest version disabled`));
    return Promise.resolve(secret.value);
  }
}
