import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { GoogleAuth } from 'google-auth-library';
import { LRUCache } from 'lru-cache';

export const CONTAINER_API = 'https://container.googleapis.com/v1';

interface ClusterFacts {
  endpoint: string;
  caData: string;
}

/**
 * The Kubernetes API of a GKE cluster, as the function's own service account reaches it: the
 * endpoint and CA from the GKE API (clusters.get, kept 10 minutes in a small LRU), and an OAuth
 * access token of the account as the bearer (GKE accepts it; the account's RBAC in the namespace
 * decides what it may patch). No kubeconfig file, no gcloud.
 */
export class GkeClusters {
  private readonly facts = new LRUCache<string, ClusterFacts>({ max: 50, ttl: 600_000 });

  constructor(private readonly auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] })) {}

  async apps(cluster: string): Promise<AppsV1Api> {
    const facts = this.facts.get(cluster) ?? (await this.lookup(cluster));
    const token = await this.auth.getAccessToken();
    if (!token) throw new Error('no access token for the function\'s service account');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: cluster, server: `https://${facts.endpoint}`, caData: facts.caData, skipTLSVerify: false }],
      users: [{ name: 'cutover', token }],
      contexts: [{ name: cluster, cluster, user: 'cutover' }],
      currentContext: cluster,
    });
    return kc.makeApiClient(AppsV1Api);
  }

  private async lookup(cluster: string): Promise<ClusterFacts> {
    const client = await this.auth.getClient();
    const { data } = await client.request<{ endpoint?: string; masterAuth?: { clusterCaCertificate?: string } }>({ url: `${CONTAINER_API}/${cluster}`, timeout: 5_000 });
    if (!data.endpoint || !data.masterAuth?.clusterCaCertificate) throw new Error(`the GKE API names no endpoint or CA for ${cluster}`);
    const facts = { endpoint: data.endpoint, caData: data.masterAuth.clusterCaCertificate };
    this.facts.set(cluster, facts);
    return facts;
  }
}
