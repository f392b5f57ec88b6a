import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, TYPES } from '../../scripts/extract-provider-schema.js';

/**
 * infra/ checked against the google provider's own schema (extracted from @cdktf/provider-google,
 * generated from provider 6.50.0; npm run infra:schema): every resource and data type is known,
 * every argument and nested block (dynamic ones included) exists where it is written.
 */
interface BlockSchema {
  arguments: string[];
  blocks: Record<string, BlockSchema>;
}
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { types: Record<string, BlockSchema> };
/** Terraform's own meta-arguments, valid in every resource and data block. */
const META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);

type Body = Record<string, unknown>;
/** Problems in one block body, as "path: problem". */
export function check(body: Body, block: BlockSchema, path: string, top: boolean): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (top && META.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, uses] of Object.entries(value as Record<string, Body[]>)) {
        const nested = block.blocks[name];
        if (!nested) problems.push(`${path}: unknown block "${name}" (dynamic)`);
        else for (const use of uses) for (const content of (use.content as Body[] | undefined) ?? []) problems.push(...check(content, nested, `${path}.${name}`, false));
      }
      continue;
    }
    if (block.arguments.includes(key)) continue;
    const nested = block.blocks[key];
    if (!nested) {
      problems.push(`${path}: unknown ${Array.isArray(value) && typeof value[0] === 'object' ? 'block' : 'argument'} "${key}"`);
      continue;
    }
    for (const item of Array.isArray(value) ? (value as Body[]) : [value as Body]) problems.push(...check(item, nested, `${path}.${key}`, false));
  }
  return problems;
}

async function blocksOfInfra(): Promise<{ kind: 'resource' | 'data'; type: string; name: string; body: Body }[]> {
  const found: { kind: 'resource' | 'data'; type: string; name: string; body: Body }[] = [];
  // infra/ and its modules (infra/modules/*): every .tf file.
  const files = readdirSync('infra', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tf'));
  for (const file of files) {
    const json = (await parse(file, readFileSync(join('infra', file), 'utf8'))) as { resource?: Record<string, Record<string, Body[]>>; data?: Record<string, Record<string, Body[]>> };
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(json[kind] ?? {})) for (const [name, bodies] of Object.entries(byName)) for (const body of bodies) found.push({ kind, type, name, body });
    }
  }
  return found;
}

describe('infra/ against the google provider schema (6.50.0)', () => {
  it('the committed extract covers the types the script lists', () => {
    expect(Object.keys(schema.types).sort()).toEqual([...TYPES].sort());
  });

  it('uses only known resource and data types, arguments and blocks', async () => {
    const blocks = await blocksOfInfra();
    expect(blocks.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const { kind, type, name, body } of blocks) {
      const key = kind === 'data' ? `data.${type}` : type;
      const known = schema.types[key];
      if (!known) {
        problems.push(`${key}.${name}: type not in ${SCHEMA_FILE} (unknown, or add it to TYPES and run npm run infra:schema)`);
        continue;
      }
      problems.push(...check(body, known, `${key}.${name}`, true));
    }
    expect(problems).toEqual([]);
  });

  it('reads the modules too: the GKE + load balancer module leaves the weights to Cutover and logs every request', async () => {
    const blocks = await blocksOfInfra();
    const urlMap = blocks.find((b) => b.type === 'google_compute_url_map');
    expect(JSON.stringify(urlMap?.body.lifecycle)).toContain('path_matcher');
    const colours = blocks.find((b) => b.type === 'google_compute_backend_service');
    expect(JSON.stringify(colours?.body.log_config)).toContain('"sample_rate":1');
    const grant = blocks.find((b) => b.type === 'google_project_iam_member' && b.name === 'url_map_weights');
    expect(JSON.stringify(grant?.body.condition)).toContain('global/urlMaps/${var.name}');
  });

  it('would catch an unknown argument, an unknown block and a misplaced one', () => {
    const fn = schema.types.google_cloudfunctions2_function as BlockSchema;
    expect(check({ name: 'x', runtime: 'nodejs22' }, fn, 'fn', true)).toEqual(['fn: unknown argument "runtime"']);
    expect(check({ name: 'x', build_config: [{ runtime: 'nodejs22', sourc: [{}] }] }, fn, 'fn', true)).toEqual(['fn.build_config: unknown block "sourc"']);
    expect(check({ service_config: [{ timeout_seconds: 1, for_each: 'x' }] }, fn, 'fn', true)).toEqual(['fn.service_config: unknown argument "for_each"']);
    expect(check({ dynamic: { nope: [{ content: [{}] }] } }, fn, 'fn', true)).toEqual(['fn: unknown block "nope" (dynamic)']);
  });
});
