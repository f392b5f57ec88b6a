import { loadConfig } from '../shared/config.js';
import { wire, type Wired } from '../shared/wiring.js';
import { registerFunctions } from './register.js';

/**
 * Cloud Functions entry module (package.json "main" after build). The world is wired once per
 * instance on first use from the environment; a configuration problem surfaces as a clear
 * ConfigError in the logs and a 500, so Pub/Sub keeps the message until it is fixed.
 */
let wired: Wired | null = null;
registerFunctions(() => (wired ??= wire(loadConfig(process.env))));
