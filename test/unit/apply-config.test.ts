import { describe, expect, it } from 'vitest';
import { applyConfig, parseServiceConfig } from '../../shared/domain/index.js';
import { T0, serviceConfigInput, serviceState } from '../support/fixtures.js';

describe('applyConfig: a re-applied config keeps what the service is doing', () => {
  const waves = { rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1'] }], soak: '5m' } };

  it('keeps the pointers, the incident and each region\'s slot of a service released in waves', () => {
    const targets = { 'europe-west1': { stableRevision: 'eu-b1', activeReleaseId: null, lastCompletedReleaseId: 'checkout-b1@europe-west1' }, 'us-central1': { stableRevision: 'us-b0', activeReleaseId: 'checkout-b1@us-central1', lastCompletedReleaseId: null } };
    const running = serviceState(waves, { activeReleaseId: 'checkout-b1', stableRevision: null, targets });
    const next = applyConfig(running, parseServiceConfig(serviceConfigInput({ ...waves, bakeTime: '2m' })), T0 + 1);
    expect(next).toMatchObject({ activeReleaseId: 'checkout-b1', targets, createdAt: running.createdAt, updatedAt: T0 + 1 });
    expect(next.config.bakeTime).toBe(120_000);
  });

  it('keeps the stage before at the top level, so the stage before can find this one by query', () => {
    expect(applyConfig(null, parseServiceConfig(serviceConfigInput({ promotion: { from: 'checkout-staging' } })), T0).promotesFrom).toBe('checkout-staging');
    expect(applyConfig(null, parseServiceConfig(serviceConfigInput()), T0).promotesFrom).toBeNull();
  });

  it('refuses a stage that promotes from itself', () => {
    expect(() => parseServiceConfig(serviceConfigInput({ promotion: { from: 'checkout' } }))).toThrow(/promotion\.from: a stage cannot promote from itself/);
  });
});
