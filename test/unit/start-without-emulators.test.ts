import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm start without the emulators', () => {
  it('says exactly what is missing and how to install it, and exits non-zero', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        'node',
        ['--import', 'tsx', 'scripts/start.ts', '--no-demo'],
        { env: { ...process.env, CUTOVER_GCLOUD_SDK: '/nonexistent-sdk' }, timeout: 30_000 },
        (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Firestore emulator (/nonexistent-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator)');
    expect(result.stderr).toContain('apt-get install google-cloud-cli-firestore-emulator');
    expect(result.stderr).toContain('apt-get install google-cloud-cli-pubsub-emulator');
  });
});
