import { CloudBuildClient } from '@google-cloud/cloudbuild';
import { grpc } from 'google-gax';
import { LocalCloudBuild } from '../../local/cloud-build.js';
import { CloudBuildAuthority } from '../../shared/adapters/gcp/cloud-build-authority.js';
import { buildAuthorityContract } from '../contracts/build-authority-contract.js';
import { FakeBuildAuthority } from '../fakes/memory-builds.js';

buildAuthorityContract('FakeBuildAuthority', () => {
  const authority = new FakeBuildAuthority();
  return Promise.resolve({ authority, know: (b) => authority.know(b), knowTrigger: (tr) => authority.knowTrigger('demo-project', tr), breakFor: (n) => (authority.unavailable = n), teardown: () => Promise.resolve() });
});

buildAuthorityContract('CloudBuildAuthority on the Cloud Build API (official client, gRPC server from its protos)', async () => {
  const api = new LocalCloudBuild({ project: 'demo-project' });
  await api.start();
  const client = new CloudBuildClient({ ...api.clientOptions(), projectId: 'demo-project' });
  const retry = { attempts: 2, baseDelayMs: 1 };
  return {
    authority: new CloudBuildAuthority(client, { retry, timeoutMs: 2_000 }),
    know: (b) => void api.put(b),
    knowTrigger: (tr) => api.addTrigger({ ...tr, substitutions: {} }),
    // The adapter retries a transient error once (attempts: 2): both fail.
    breakFor: (n) => api.server.inject('GetBuild', { code: grpc.status.UNAVAILABLE }, n * retry.attempts),
    teardown: async () => {
      await client.close();
      await api.stop();
    },
  };
});
