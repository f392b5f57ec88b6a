import { FakeStore } from '../fakes/memory-store.js';
import { storeContract } from '../contracts/store-contract.js';

storeContract('FakeStore', () => new FakeStore(), true, 60, (store) => {
  store.delivery.clear();
  return Promise.resolve();
});
