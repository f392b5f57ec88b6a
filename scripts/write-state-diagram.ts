import { readFileSync, writeFileSync } from 'node:fs';
import { subStateTable } from '../shared/domain/release-state.js';
import { phaseDiagram } from '../shared/domain/transitions.js';

// Regenerates the phase diagram (PHASE_EDGES, SUB_STATES) and the sub-state table in docs/state.md; a test fails when either is stale.
export const STATE_DOC = 'docs/state.md';
const block = /(<!-- phases:begin[^>]*-->\n```mermaid\n)[\s\S]*?(\n```\n<!-- phases:end -->)/;

const table = /(<!-- substates:begin[^>]*-->\n)[\s\S]*?(\n<!-- substates:end -->)/;

export function withDiagram(doc: string): string {
  if (!block.test(doc)) throw new Error(`${STATE_DOC} has no phases:begin/phases:end block`);
  if (!table.test(doc)) throw new Error(`${STATE_DOC} has no substates:begin/substates:end block`);
  return doc.replace(block, (_m, open: string, close: string) => `${open}${phaseDiagram()}${close}`).replace(table, (_m, open: string, close: string) => `${open}${subStateTable()}${close}`);
}

if (process.argv[1]?.endsWith('write-state-diagram.ts')) {
  writeFileSync(STATE_DOC, withDiagram(readFileSync(STATE_DOC, 'utf8')));
  console.log(`wrote the phase diagram in ${STATE_DOC}`);
}
