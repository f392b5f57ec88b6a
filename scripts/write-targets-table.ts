import { readFileSync, writeFileSync } from 'node:fs';
import { targetsTable } from '../shared/targets/registry.js';

// Rewrites the target kinds' table in docs/architecture.md from the registry; a test fails when it is stale.
const path = 'docs/architecture.md';
const doc = readFileSync(path, 'utf8');
const next = doc.replace(/(<!-- targets:begin[^>]*-->\n)[\s\S]*?(<!-- targets:end -->)/, `$1${targetsTable()}\n$2`);
writeFileSync(path, next);
console.log(`wrote the targets table in ${path}`);
