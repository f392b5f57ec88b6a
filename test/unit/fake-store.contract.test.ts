import { FakeStore } from '../fakes/memory-store.js';
import { storeContract } from '../contracts/store-contract.js';

storeContract('FakeStore', () => new FakeStore());
