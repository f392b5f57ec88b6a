import { describe } from 'vitest';
import { createFirestore } from '../../shared/adapters/firestore/firestore-store.js';
import { FirestoreTelemetryStore } from '../../shared/adapters/firestore/telemetry-store.js';
import { telemetryContract } from '../contracts/telemetry-contract.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';

describe.skipIf(!emulators.available)('FirestoreTelemetryStore on the emulator', () => {
  telemetryContract('FirestoreTelemetryStore', () => {
    const db = createFirestore({ projectId: uniqueProjectId('telemetry'), databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    return Promise.resolve({ store: new FirestoreTelemetryStore(db), teardown: () => db.terminate() });
  });
});
