import { telemetryContract } from '../contracts/telemetry-contract.js';
import { MemoryTelemetryStore } from '../fakes/memory-telemetry.js';

telemetryContract('MemoryTelemetryStore', () => Promise.resolve({ store: new MemoryTelemetryStore(), teardown: () => Promise.resolve() }));
