import { createGcpLoggingPinoConfig } from '@google-cloud/pino-logging-gcp-config';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** The logger shape the runtime needs; pino satisfies it, and tests may pass a silent one. */
export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug'>;

/**
 * pino with Google's config: JSON lines Cloud Logging understands (severity, trace, error
 * reporting). Level from the caller, so nothing here reads the environment.
 */
export function createLogger(options: {
  level: string;
  name?: string;
  gcp?: boolean;
  destination?: DestinationStream;
}): PinoLogger {
  const base = { level: options.level, name: options.name ?? 'cutover' };
  // On a laptop (CLI, npm start) plain pino JSON: the GCP config adds a diagnostic line per process.
  const config = options.gcp === false ? base : createGcpLoggingPinoConfig(undefined, base);
  return options.destination ? pino(config, options.destination) : pino(config);
}

export const silentLogger: Logger = pino({ level: 'silent' });
