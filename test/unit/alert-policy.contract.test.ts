import { AlertPolicyServiceClient } from '@google-cloud/monitoring';
import { grpc } from 'google-gax';
import { LocalAlertPolicies } from '../../local/alert-policies.js';
import { MonitoringAlertPolicies } from '../../shared/adapters/gcp/alert-policy-authority.js';
import { alertPolicyContract } from '../contracts/alert-policy-contract.js';
import { FakeAlertPolicies } from '../fakes/memory-alert-policies.js';

alertPolicyContract('FakeAlertPolicies', () => {
  const authority = new FakeAlertPolicies();
  return Promise.resolve({ authority, know: (p) => authority.put(p), breakFor: (n) => (authority.unavailable = n), teardown: () => Promise.resolve() });
});

alertPolicyContract('MonitoringAlertPolicies on AlertPolicyService (official client, gRPC server from its protos)', async () => {
  const api = new LocalAlertPolicies('demo-project');
  await api.start();
  const client = new AlertPolicyServiceClient({ ...api.clientOptions(), projectId: 'demo-project' });
  const retry = { attempts: 2, baseDelayMs: 1 };
  return {
    authority: new MonitoringAlertPolicies(client, { retry, timeoutMs: 2_000 }),
    know: (p) => void api.put(p),
    breakFor: (n) => api.server.inject('GetAlertPolicy', { code: grpc.status.UNAVAILABLE }, n * retry.attempts),
    teardown: async () => {
      await client.close();
      await api.stop();
    },
  };
});
