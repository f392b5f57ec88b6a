import { afterAll } from 'vitest';
import { COLLECTIONS, FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { storeContract } from '../contracts/store-contract.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';

const opened: FirestoreStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

storeContract(
  'FirestoreStore on the emulator',
  () => {
    const store = new FirestoreStore({ projectId: uniqueProjectId('contract'), databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    opened.push(store);
    return store;
  },
  emulators.available,
  // Each stream is some hundreds of transactions on the emulator.
  4,
  // Lost figures, as on an install from before they were kept: the collection emptied behind the store's back.
  async (store) => {
    const docs = await store.db.collection(COLLECTIONS.delivery).listDocuments();
    await Promise.all(docs.map((d) => d.delete()));
  },
);
