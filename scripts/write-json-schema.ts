import { writeFileSync } from 'node:fs';
import { serviceConfigJsonSchema } from '../shared/domain/service-config-json-schema.js';

// Regenerates docs/service-config.schema.json; a test fails when the committed copy is stale.
writeFileSync('docs/service-config.schema.json', `${JSON.stringify(serviceConfigJsonSchema(), null, 2)}\n`);
console.log('wrote docs/service-config.schema.json');
