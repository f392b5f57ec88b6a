import { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { localImage } from '../../local/launcher.js';
import { startAdminApi } from '../../local/router/admin.js';
import { LocalFleet } from '../../local/router/fleet.js';
import { CloudRunRouter } from '../../shared/adapters/gcp/cloud-run-router.js';
import { LocalRouterClient } from '../../shared/adapters/local/local-router-client.js';
import { routerTarget } from '../../shared/domain/decide/reconcile.js';
import { targetContract } from '../contracts/target-contract.js';
import { FakeCloudRun } from '../fakes/grpc/fake-cloud-run.js';
import { serviceState } from '../support/fixtures.js';
import { localGkeWorld } from '../support/gke.js';

/** Every target kind's Deployer and TrafficSplitter, each on what stands for its API, through one contract. */
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

// Cloud Run's cohort is a tag URL, not a rule: it has no cohort case here.
targetContract('cloud-run (CloudRunRouter, official client on the fake Admin API from the shipped protos)', ['conflict', 'neverReady', 'moveTraffic'], async () => {
  const fake = new FakeCloudRun();
  fake.readyAfterPolls = 2;
  fake.operationPolls = 2;
  await fake.start();
  const name = fake.seed('demo', 'europe-west1', 'svc', 'svc-00001');
  const options = { ...fake.server.clientOptions(), projectId: 'demo' };
  const services = new ServicesClient(options);
  const revisions = new RevisionsClient(options);
  const router = new CloudRunRouter(services, revisions, { retry: { attempts: 4, baseDelayMs: 10 } });
  const image = (n: number) => `europe-docker.pkg.dev/demo/apps/svc@${digest(n)}`;
  return {
    deployer: router,
    splitter: router,
    target: { kind: 'cloud-run', project: 'demo', region: 'europe-west1', service: 'svc' },
    image,
    conflictNextWrite: () => fake.touchBeforeNextUpdate(name),
    neverReady: (n) => (fake.failingImages.add(image(n)), image(n)),
    moveAllTrafficTo: (revision) => fake.setTrafficAsSomeoneElse(name, [{ revision, percent: 100 }]),
    teardown: async () => {
      await Promise.all([services.close(), revisions.close()]);
      await fake.stop();
    },
  };
});

// The local router has one writer (no etag) and starts a version or fails at once.
targetContract('local (LocalRouterClient on the local router\'s admin API, a process per version)', ['moveTraffic'], async () => {
  const fleet = new LocalFleet();
  await fleet.addService('svc', 'svc-blue', localImage('blue'));
  const admin = await startAdminApi(fleet);
  const client = new LocalRouterClient(admin.url);
  return {
    deployer: client,
    splitter: client,
    target: { kind: 'local', project: 'p', region: 'local', service: 'svc' },
    image: (n) => localImage(`v${n}`),
    moveAllTrafficTo: async (revision) => void (await fleet.setTraffic('svc', null, revision, 100)),
    teardown: async () => {
      await admin.close();
      await fleet.close();
    },
  };
});

targetContract('gke-lb (GkeLoadBalancerTarget: official Compute client on the local Compute API, @kubernetes/client-node on the local Kubernetes API)', ['conflict', 'neverReady', 'moveTraffic', 'cohort'], async () => {
  const world = await localGkeWorld('p', 'shop');
  const { blue, green } = world.router.colours;
  const colourOf = (backend: string | null) => (backend === blue.backendService ? 'blue' : backend === green.backendService ? 'green' : null);
  return {
    deployer: world.target,
    splitter: world.target,
    target: routerTarget(serviceState({ name: 'shop', project: 'p', router: world.router })),
    image: world.image,
    conflictNextWrite: () => world.compute.changeBeforeNextPatch('shop', (map) => void (map.description = 'edited by someone else')),
    neverReady: (n) => (world.kube.stallImage(world.image(n)), world.image(n)),
    moveAllTrafficTo: (colour) =>
      world.compute.changeAsSomeoneElse('shop', (map) => {
        const rule = (map.pathMatchers as { routeRules: { priority: number; routeAction?: object }[] }[])[0]?.routeRules.find((r) => r.priority === 100);
        if (rule) rule.routeAction = { weightedBackendServices: [{ backendService: colour === 'blue' ? blue.backendService : green.backendService, weight: 100 }] };
      }),
    cohort: () => colourOf(world.cohort()),
    teardown: world.close,
  };
});
