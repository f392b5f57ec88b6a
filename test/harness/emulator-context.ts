import { inject } from 'vitest';

/** For integration suites: `describe.skipIf(!emulators.available)` plus the hosts to use. */
export const emulators = {
  firestoreHost: inject('firestoreHost'),
  pubsubHost: inject('pubsubHost'),
  get available(): boolean {
    return this.firestoreHost !== null && this.pubsubHost !== null;
  },
};

let counter = 0;
/** A project id unique to the calling suite, so parallel files never see each other's data. */
export function uniqueProjectId(label: string): string {
  counter += 1;
  return `cutover-test-${label}-${process.pid}-${counter}`.toLowerCase().slice(0, 60);
}

/** For browser suites: `describe.skipIf(!browser.path)`; Debian's chromium when installed. */
export const browser = { path: inject('browserPath') };
