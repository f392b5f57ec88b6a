import { GoogleAuth, type AuthClient } from 'google-auth-library';
import { LRUCache } from 'lru-cache';
import { UpstreamUnavailableError, type GroupDirectory } from '../../ports/index.js';

export const CLOUD_IDENTITY_URL = 'https://cloudidentity.googleapis.com';

interface Requester {
  request<T>(options: { url: string; timeout?: number }): Promise<{ data: T }>;
}

export interface CloudIdentityGroupsOptions {
  baseUrl?: string;
  /** How long an answer is reused ("cached briefly"): a removed member keeps the role this long at most. */
  ttlMs?: number;
  timeoutMs?: number;
  /** Answers kept at most (least recently used dropped first): memory stays bounded whoever calls. */
  maxEntries?: number;
  /** For tests: a requester other than Application Default Credentials. */
  requester?: Requester;
  clock?: () => number;
}

/**
 * Group membership through the Cloud Identity Groups API v1: groups:lookup turns a group's email
 * into its resource name, memberships:checkTransitiveMembership says whether the person is in it,
 * directly or through nested groups (that method needs Workspace Enterprise or Cloud Identity
 * Premium; without it the API answers 403 and the group grants nothing). Answers are cached for
 * `ttlMs`, at most `maxEntries` of them (lru-cache). A group the API does not know grants nothing; an API that cannot answer is
 * UpstreamUnavailableError (503): a role is never granted for want of an answer.
 */
export class CloudIdentityGroups implements GroupDirectory {
  private readonly baseUrl: string;
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly cache: LRUCache<string, { at: number; value: boolean }>;
  private readonly names: LRUCache<string, { at: number; value: string | null }>;
  private requester: Promise<Requester> | null;

  constructor(private readonly options: CloudIdentityGroupsOptions = {}) {
    this.baseUrl = options.baseUrl ?? CLOUD_IDENTITY_URL;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    this.requester = options.requester ? Promise.resolve(options.requester) : null;
    // lru-cache bounds the entries; freshness is checked against the injected clock, so tests can move time.
    this.cache = new LRUCache({ max: options.maxEntries ?? 10_000 });
    this.names = new LRUCache({ max: Math.min(options.maxEntries ?? 10_000, 1_000) });
  }

  private client(): Promise<Requester> {
    this.requester ??= new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-identity.groups.readonly'] }).getClient().then((c: AuthClient) => c as unknown as Requester);
    return this.requester;
  }

  async memberOf(email: string, groups: readonly string[]): Promise<Set<string>> {
    const member = new Set<string>();
    for (const group of groups) if (await this.isMember(email.toLowerCase(), group.toLowerCase())) member.add(group.toLowerCase());
    return member;
  }

  private fresh<T>(entry: { at: number; value: T } | undefined): entry is { at: number; value: T } {
    return entry !== undefined && this.clock() - entry.at < this.ttlMs;
  }

  private async isMember(email: string, group: string): Promise<boolean> {
    const key = `${group}\n${email}`;
    const cached = this.cache.get(key);
    if (this.fresh(cached)) return cached.value;
    const name = await this.groupName(group);
    const value = name === null ? false : await this.get<{ hasMembership?: boolean }>(`/v1/${name}/memberships:checkTransitiveMembership?query=${encodeURIComponent(`member_key_id == '${email.replace(/'/g, '')}'`)}`).then((r) => r?.hasMembership === true);
    this.cache.set(key, { at: this.clock(), value });
    return value;
  }

  private async groupName(group: string): Promise<string | null> {
    const cached = this.names.get(group);
    if (this.fresh(cached)) return cached.value;
    const found = await this.get<{ name?: string }>(`/v1/groups:lookup?groupKey.id=${encodeURIComponent(group)}`);
    const value = found?.name && /^groups\/[A-Za-z0-9_-]+$/.test(found.name) ? found.name : null;
    this.names.set(group, { at: this.clock(), value });
    return value;
  }

  /** null: the API says no (404, or 403: not visible to us / not available on this account). */
  private async get<T>(path: string): Promise<T | null> {
    try {
      return (await (await this.client()).request<T>({ url: `${this.baseUrl}${path}`, timeout: this.options.timeoutMs ?? 3_000 })).data;
    } catch (error) {
      const status = (error as { status?: number; response?: { status?: number } }).response?.status ?? (error as { status?: number }).status;
      if (status === 404 || status === 403) return null;
      throw new UpstreamUnavailableError(`Cloud Identity Groups API: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
