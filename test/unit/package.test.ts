import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageFunctions } from '../../scripts/package-functions.js';

/** The deployed functions' source holds only what they need; shared/ never reaches into the tooling. */
const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const specifiers = (source: string) => [...source.matchAll(/(?:from\s+|import\(\s*)'([^']+)'/g)].map((m) => m[1] ?? '');

describe('the functions package (npm run package:functions)', () => {
  let dir = '';
  beforeAll(() => {
    dir = packageFunctions().dir;
  }, 120_000);

  it('holds the compiled functions and shared code only: no local stack, demo, benchmarks or CLI', () => {
    const files = walk(join(dir, 'dist')).map((f) => relative(join(dir, 'dist'), f));
    expect(files).toContain(join('functions', 'index.js'));
    expect(files.filter((f) => !f.startsWith('functions/') && !f.startsWith('shared/'))).toEqual([]);
  });

  it('declares every package the deployed code imports, and none of the dev-only ones', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: unknown; main: string };
    expect(pkg.devDependencies).toBeUndefined();
    expect(pkg.main).toBe('dist/functions/index.js');
    expect(Object.keys(pkg.dependencies)).not.toContain('autocannon');
    expect(Object.keys(pkg.dependencies)).not.toContain('undici');
    const imported = new Set<string>();
    for (const file of walk(join(dir, 'dist')).filter((f) => f.endsWith('.js'))) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
        if (!name.startsWith('node:') && !builtinModules.includes(name)) imported.add(name);
      }
    }
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });
});

describe('shared/ is the core: it imports nothing from cli/, functions/ or local/', () => {
  it('holds for every file', () => {
    const offenders: string[] = [];
    for (const file of walk('shared').filter((f) => f.endsWith('.ts'))) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative('.', resolve(dirname(file), spec));
        if (!target.startsWith('shared/')) offenders.push(`${file} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
