import { z } from 'zod';
import { serviceConfigSchema } from './service-config.js';

/** JSON Schema of the service YAML as a person writes it (durations as strings), for editors. */
export function serviceConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(serviceConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://cutover.dev/schemas/service-config.v1.json',
    title: 'Cutover service config (cutover/v1)',
  };
}
