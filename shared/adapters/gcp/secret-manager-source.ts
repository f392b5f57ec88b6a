import { v1 } from '@google-cloud/secret-manager';
import { SECRET_ID_RULE } from '../../domain/index.js';
import { SecretUnreadableError, UpstreamUnavailableError, type SecretProblem, type SecretSource } from '../../ports/index.js';
import { Code, codeOf, describeError } from './grpc-errors.js';

type Client = InstanceType<typeof v1.SecretManagerServiceClient>;

export interface SecretManagerSourceOptions {
  project: string;
  /** A successful read is reused this long (a rotated webhook takes effect within it). Default 5 min. */
  cacheMs?: number;
  /** One AccessSecretVersion call's deadline. Default 2 s: with the webhook's tries, inside a 9 s request. */
  timeoutMs?: number;
  clock?: () => number;
}

/** gRPC codes that say the secret, as configured, cannot be read: retrying will not help. */
const PERMANENT: Record<number, SecretProblem> = { [Code.INVALID_ARGUMENT]: 'Invalid', [Code.NOT_FOUND]: 'NotFound', [Code.PERMISSION_DENIED]: 'PermissionDenied', [Code.FAILED_PRECONDITION]: 'Disabled' };

/**
 * SecretSource on Secret Manager (the official `@google-cloud/secret-manager` 6 client, which
 * allows Node 20): AccessSecretVersion on `projects/{project}/secrets/{id}/versions/latest`.
 * The id is checked before any call, so a config cannot name another project's secret.
 */
export class SecretManagerSource implements SecretSource {
  private readonly cache = new Map<string, { value: string; at: number }>();
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly client: Client,
    private readonly options: SecretManagerSourceOptions,
  ) {
    this.cacheMs = options.cacheMs ?? 300_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.clock = options.clock ?? Date.now;
  }

  async read(secretId: string): Promise<string> {
    if (!SECRET_ID_RULE.test(secretId)) throw new SecretUnreadableError('Invalid', `"${secretId.slice(0, 80)}" is not a secret id`);
    const now = this.clock();
    const cached = this.cache.get(secretId);
    if (cached && now - cached.at < this.cacheMs && now >= cached.at) return cached.value;
    const name = `projects/${this.options.project}/secrets/${secretId}/versions/latest`;
    try {
      const [version] = await this.client.accessSecretVersion({ name }, { timeout: this.timeoutMs, retry: null as never });
      const data = version.payload?.data;
      const value = typeof data === 'string' ? data : data ? Buffer.from(data).toString('utf8') : '';
      if (!value) throw new SecretUnreadableError('Invalid', `secret ${secretId} has an empty latest version`);
      this.cache.set(secretId, { value, at: now });
      return value;
    } catch (error) {
      if (error instanceof SecretUnreadableError) throw error;
      const code = codeOf(error);
      const problem = code === undefined ? undefined : PERMANENT[code];
      const detail = describeError(error);
      if (problem) throw new SecretUnreadableError(problem, `secret ${secretId}: ${problem} (${detail})`, { cause: error });
      throw new UpstreamUnavailableError(`Secret Manager could not answer for ${secretId}: ${detail}`, { cause: error });
    }
  }
}
