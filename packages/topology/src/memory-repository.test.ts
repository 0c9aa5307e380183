import { MemoryTopologyRepository } from './memory-repository.js';
import { describeTopologyRepositoryContract } from './testing.js';

let tick = 0;
// A strictly increasing clock keeps "newest first" orderings unambiguous.
describeTopologyRepositoryContract('MemoryTopologyRepository', async () => new MemoryTopologyRepository({ now: () => new Date(Date.UTC(2026, 0, 1) + tick++ * 1000) }));
