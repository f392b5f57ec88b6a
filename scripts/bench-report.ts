import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release as osRelease } from 'node:os';

/** Percentile of a sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${osRelease()}, Node ${process.version}`;
}

/** Appends one dated section to docs/benchmarks.md, creating the file with its preamble if needed. */
export function appendReport(title: string, lines: string[]): void {
  const file = 'docs/benchmarks.md';
  if (!existsSync(file)) {
    writeFileSync(
      file,
      '# Benchmarks\n\nWritten by `npm run bench`; each run appends a dated section with the machine it ran on. Figures are from that machine only: compare runs on the same machine.\n',
    );
  }
  const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  appendFileSync(file, `\n## ${title} — ${when}\n\nMachine: ${machine()}\n\n${lines.join('\n')}\n`);
}
