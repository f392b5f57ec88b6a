import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds the source Terraform uploads for the functions: only functions/ and shared/ compiled
 * (tsconfig.functions.json), package.json without its dev-only parts, and the lock file. The local
 * stack, demo, benchmarks, CLI and their dev dependencies (autocannon, undici) stay out.
 * Output: .cutover/functions/ and .cutover/functions.zip. `npm run package:functions`.
 */
export const OUT = '.cutover/functions';

export function packageFunctions(root = '.'): { dir: string; zip: string } {
  const dir = join(root, OUT);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.functions.json'), '--outDir', join(dir, 'dist')], { stdio: 'inherit' });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { devDependencies: _dev, scripts: _scripts, bin: _bin, allowScripts: _allow, ...runtime } = pkg;
  // Cloud Run functions run `npm start` through the framework; the main module is the entry point file.
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...runtime, main: 'dist/functions/index.js' }, null, 2)}\n`);
  cpSync(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
  const zip = join(root, '.cutover/functions.zip');
  rmSync(zip, { force: true });
  execFileSync('zip', ['-qr', join('..', 'functions.zip'), 'dist', 'package.json', 'package-lock.json'], { cwd: dir });
  return { dir, zip };
}

if (process.argv[1]?.endsWith('package-functions.ts')) {
  const { zip } = packageFunctions();
  console.log(`wrote ${zip} (${(statSync(zip).size / 1024).toFixed(0)} KiB)`);
}
