import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { missingEmulators, startEmulators } from '../../local/emulators.js';

declare module 'vitest' {
  export interface ProvidedContext {
    firestoreHost: string | null;
    pubsubHost: string | null;
    emulatorsMissing: string[];
    browserPath: string | null;
  }
}

/**
 * Starts the Firestore and Pub/Sub emulators once for the whole run and stops them at the end.
 * Missing emulators: the tests that need them skip with a loud message, unless
 * CUTOVER_REQUIRE_EMULATORS=1, which turns the skip into a failure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Page tests drive Debian's chromium (apt-get install chromium); without it they skip, loudly.
  const browser = '/usr/bin/chromium';
  if (!existsSync(browser)) {
    const banner = `\n${'!'.repeat(78)}\nCHROMIUM MISSING (${browser}) — browser tests will be SKIPPED (apt-get install chromium)\n${'!'.repeat(78)}\n`;
    if (process.env.CUTOVER_REQUIRE_EMULATORS === '1') throw new Error(`CUTOVER_REQUIRE_EMULATORS=1 and ${banner}`);
    console.warn(banner);
  }
  project.provide('browserPath', existsSync(browser) ? browser : null);
  const missing = missingEmulators();
  if (missing.length > 0) {
    const banner = `\n${'!'.repeat(78)}\nEMULATORS MISSING — integration tests will be SKIPPED:\n${missing.map((m) => `  - ${m}`).join('\n')}\n${'!'.repeat(78)}\n`;
    if (process.env.CUTOVER_REQUIRE_EMULATORS === '1') throw new Error(`CUTOVER_REQUIRE_EMULATORS=1 and ${banner}`);
    console.warn(banner);
    project.provide('firestoreHost', null);
    project.provide('pubsubHost', null);
    project.provide('emulatorsMissing', missing);
    return () => Promise.resolve();
  }
  const { firestore, pubsub } = await startEmulators();
  project.provide('firestoreHost', firestore.host);
  project.provide('pubsubHost', pubsub.host);
  project.provide('emulatorsMissing', []);
  return async () => {
    await Promise.all([firestore.stop(), pubsub.stop()]);
  };
}
