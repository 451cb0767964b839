import { MemoryStore } from './MemoryStore.js';
import { storeContract } from './Store.contract.js';

storeContract('memory', async () => new MemoryStore());
