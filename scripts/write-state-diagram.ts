import { readFileSync, writeFileSync } from 'node:fs';
import { phaseDiagram } from '../shared/domain/transitions.js';

// Regenerates the phase diagram in docs/state.md from PHASE_EDGES; a test fails when it is stale.
export const STATE_DOC = 'docs/state.md';
const block = /(<!-- phases:begin[^>]*-->\n```mermaid\n)[\s\S]*?(\n```\n<!-- phases:end -->)/;

export function withDiagram(doc: string): string {
  if (!block.test(doc)) throw new Error(`${STATE_DOC} has no phases:begin/phases:end block`);
  return doc.replace(block, (_m, open: string, close: string) => `${open}${phaseDiagram()}${close}`);
}

if (process.argv[1]?.endsWith('write-state-diagram.ts')) {
  writeFileSync(STATE_DOC, withDiagram(readFileSync(STATE_DOC, 'utf8')));
  console.log(`wrote the phase diagram in ${STATE_DOC}`);
}
