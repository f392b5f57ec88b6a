import { loadConfig } from '../shared/config.js';
import { wire } from '../shared/wiring.js';
import { registerFunctions } from './register.js';

/**
 * Cloud Functions entry module (package.json "main" after build). The configuration is checked
 * and the world wired at start-up: a missing or malformed setting stops the instance with a
 * ConfigError that names every problem, so a bad deployment fails visibly instead of at the
 * first message.
 */
const wired = wire(loadConfig(process.env));
registerFunctions(() => wired);
