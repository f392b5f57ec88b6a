#!/usr/bin/env node
import { main } from './main.js';

/**
 * Exit only once stdout and stderr have drained: `process.exit` right after a large write to a
 * pipe (`cutover --json services list | cat`) cut the output at 64 KiB. Setting exitCode and
 * letting the event loop empty would wait on open handles (clients), so flush, then exit.
 */
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

async function exit(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

main(process.argv.slice(2), process.env).then(
  (code) => exit(code),
  (error: unknown) => {
    process.stderr.write(`cutover: ${String(error)}\n`);
    return exit(1);
  },
);
