import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalKubernetes } from '../../local/kubernetes.js';
import { DeploymentRollout, type RolloutTarget } from '../../shared/adapters/k8s/deployment-rollout.js';

/**
 * A colour's Deployment gets the release's image through @kubernetes/client-node against a local
 * API server speaking the real JSON: a patch, then `pending` while the controller rolls out,
 * done as `kubectl rollout status` would say, and a rollout that stalls fails at its deadline.
 */
const IMAGE = `europe-west1-docker.pkg.dev/p/apps/shop@sha256:${'a'.repeat(64)}`;
const GREEN: RolloutTarget = { namespace: 'shop', deployment: 'shop-green', container: 'app' };

let api: LocalKubernetes;
let rollout: DeploymentRollout;
const rolledOut: string[] = [];
beforeEach(async () => {
  api = new LocalKubernetes({ rolloutMs: 150, progressDeadlineMs: 300, onRolledOut: (d) => void rolledOut.push(`${d.name}:${d.containers[1]?.image ?? ''}`) });
  await api.start();
  api.put({ namespace: 'shop', name: 'shop-green', containers: [{ name: 'proxy', image: 'envoy:1' }, { name: 'app', image: 'shop:old' }] });
  rollout = new DeploymentRollout(apps(api.url, api.token));
});
afterEach(() => api.stop());

function apps(server: string, token: string): AppsV1Api {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'local', server, skipTLSVerify: true }], users: [{ name: 'cutover', token }], contexts: [{ name: 'local', cluster: 'local', user: 'cutover' }], currentContext: 'local' });
  return kc.makeApiClient(AppsV1Api);
}

const until = async (done: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await done()); i += 1) await new Promise((r) => setTimeout(r, 20));
};

describe('DeploymentRollout on the Kubernetes API', () => {
  it('sets the image on its container only, answers pending while the rollout runs, then done', async () => {
    expect(await rollout.roll(GREEN, IMAGE)).toMatchObject({ ok: 'pending', status: expect.stringContaining('rollout started') });
    const containers = (api.deployment('shop', 'shop-green') as { spec: { template: { spec: { containers: { name: string; image: string }[] } } } }).spec.template.spec.containers;
    expect(containers).toEqual([{ name: 'proxy', image: 'envoy:1' }, { name: 'app', image: IMAGE }]);
    expect(await rollout.roll(GREEN, IMAGE)).toMatchObject({ ok: 'pending' });
    let last: Awaited<ReturnType<DeploymentRollout['roll']>> | null = null;
    await until(async () => (last = await rollout.roll(GREEN, IMAGE)).ok === true);
    expect(last).toEqual({ ok: true, image: IMAGE });
    expect(rolledOut).toContain(`shop-green:${IMAGE}`);
  });

  it('a rollout whose pods never become ready fails, permanently, once past its progress deadline', async () => {
    api.stallImage(IMAGE);
    expect((await rollout.roll(GREEN, IMAGE)).ok).toBe('pending');
    let last: Awaited<ReturnType<DeploymentRollout['roll']>> | null = null;
    await until(async () => (last = await rollout.roll(GREEN, IMAGE)).ok !== 'pending');
    expect(last).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('progress deadline') });
  });

  it('refuses what it cannot do: a missing container or Deployment (permanent), a token the server refuses (transient: a credentials problem, not the release\'s)', async () => {
    expect(await rollout.roll({ ...GREEN, container: 'nope' }, IMAGE)).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('no container nope') });
    expect(await rollout.roll({ ...GREEN, deployment: 'shop-purple' }, IMAGE)).toMatchObject({ ok: false, permanent: true });
    expect(await new DeploymentRollout(apps(api.url, 'wrong')).roll(GREEN, IMAGE)).toMatchObject({ ok: false, permanent: false });
  });
});
